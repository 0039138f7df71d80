"""The reflection form's "earlier notes" panels: beside each principle, the
author's own notes on it from earlier meetings with the same network, collapsed,
theirs only, in a fixed number of queries, with no form field in them."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from principles.models import Principle
from reflections.models import PrincipleNote, Reflection, Status
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'<details class="nhsuk-details app-earlier-notes">.*?</details>', re.S)


def principle(slug: str) -> Principle:
    return Principle.objects.peer_practice().get(slug=slug)


def earlier_meeting(network, days_ago: int, *people):
    meeting = NetworkMeetingFactory(
        network=network, starts_at=timezone.now() - timedelta(days=days_ago)
    )
    for person in people:
        PractitionerAttendanceFactory(meeting=meeting, practitioner=person)
    return meeting


def note_on(meeting, author, text: str, slug="attunement", presence="", status=Status.FINAL):
    reflection = ReflectionFactory(author=author, meeting=meeting, status=status, text="")
    PrincipleNote.objects.create(
        reflection=reflection, principle=principle(slug), text=text, presence=presence
    )
    return reflection


@pytest.fixture
def birch(meeting):
    return meeting.network


@pytest.fixture
def current(meeting, author):
    """The author's draft on the Birch meeting of yesterday, being written."""
    return ReflectionFactory(author=author, meeting=meeting, text="Today's note.")


def panels(response) -> list[str]:
    return PANEL.findall(response.content.decode())


def test_the_authors_earlier_notes_on_the_network_are_at_hand(
    birch, author, colleague, current, login
):
    older = earlier_meeting(birch, 30, author)
    old = earlier_meeting(birch, 10, author)
    first = note_on(older, author, "Older attunement note.", presence="a_little")
    note_on(old, author, "Recent attunement note.", presence="strongly")
    PrincipleNote.objects.create(
        reflection=first, principle=principle("validation"), text="A validation note."
    )

    response = login(author).get(reverse("reflections:edit", args=[current.pk]))
    found = panels(response)

    assert response.status_code == 200
    assert len(found) == 2  # attunement and validation: no empty panel for the others
    attunement, validation = found
    assert "Your earlier notes on this principle with this network (2)" in attunement
    assert attunement.index("Recent attunement note.") < attunement.index("Older attunement note.")
    assert "How present: strongly" in attunement
    assert reverse("reflections:detail", args=[old.reflections.get().pk]) in attunement
    assert "A validation note." in validation and "attunement note" not in validation
    assert "<details" in attunement and " open" not in attunement.split(">")[0]  # collapsed


def test_never_a_colleagues_note_on_the_same_network(birch, author, colleague, current, login):
    old = earlier_meeting(birch, 10, author, colleague)
    note_on(old, colleague, "Colleague note on Birch.")

    page = login(author).get(reverse("reflections:edit", args=[current.pk])).content.decode()

    assert "Colleague note on Birch." not in page
    assert "app-earlier-notes" not in page


def test_nor_this_note_a_discarded_draft_an_empty_one_another_network_or_a_later_meeting(
    team, birch, author, current, login
):
    PrincipleNote.objects.create(reflection=current, principle=principle("attunement"), text="Me.")
    discarded = note_on(
        earlier_meeting(birch, 5, author), author, "Thrown away.", status=Status.DRAFT
    )
    discarded.discard()
    empty = ReflectionFactory(author=author, meeting=earlier_meeting(birch, 6, author), text="")
    PrincipleNote.objects.create(reflection=empty, principle=principle("attunement"))
    other = earlier_meeting(NetworkFactory(team=team, reference="Oak"), 7, author)
    note_on(other, author, "About Oak.")
    later = earlier_meeting(birch, -3, author)  # written ahead, about a later meeting
    note_on(later, author, "About a later meeting.")
    general = ReflectionFactory(author=author, text="")
    PrincipleNote.objects.create(
        reflection=general, principle=principle("attunement"), text="General."
    )

    page = login(author).get(reverse("reflections:edit", args=[current.pk])).content.decode()

    assert "app-earlier-notes" not in page
    assert Reflection.objects.filter(pk=discarded.pk).count() == 0


def test_a_draft_with_something_written_is_an_earlier_note_too(birch, author, current, login):
    note_on(earlier_meeting(birch, 4, author), author, "Still a draft.", status=Status.DRAFT)

    (panel,) = panels(login(author).get(reverse("reflections:edit", args=[current.pk])))

    assert "Still a draft." in panel
    assert "Draft</strong>" in panel


def test_a_presence_alone_is_shown_without_words(birch, author, current, login):
    note_on(earlier_meeting(birch, 4, author), author, "", presence="clearly")

    (panel,) = panels(login(author).get(reverse("reflections:edit", args=[current.pk])))

    assert "How present: clearly" in panel
    assert "No words written on this principle." in panel


def test_at_most_the_last_five_newest_first(birch, author, current, login):
    for days_ago in range(1, 8):
        note_on(earlier_meeting(birch, days_ago * 3, author), author, f"Note {days_ago}.")

    (panel,) = panels(login(author).get(reverse("reflections:edit", args=[current.pk])))

    shown = re.findall(r"Note (\d)\.", panel)
    assert shown == ["1", "2", "3", "4", "5"]
    assert "the last five" in panel


def test_a_new_note_on_a_meeting_has_the_panels_too(birch, author, meeting, login):
    note_on(earlier_meeting(birch, 9, author), author, "Before the new one.")

    response = login(author).get(reverse("reflections:create"), {"meeting": meeting.pk})

    assert response.status_code == 200
    assert "Before the new one." in panels(response)[0]


def test_a_general_reflection_has_no_panel(birch, author, login):
    note_on(earlier_meeting(birch, 9, author), author, "On Birch.")
    general = ReflectionFactory(author=author, text="General.")

    page = login(author).get(reverse("reflections:edit", args=[general.pk])).content.decode()

    assert "app-earlier-notes" not in page


def test_the_colleague_writing_on_the_same_meeting_sees_only_their_own(
    birch, author, colleague, meeting, login
):
    old = earlier_meeting(birch, 10, author, colleague)
    note_on(old, author, "The author earlier note.")
    note_on(old, colleague, "The colleague earlier note.")
    theirs = ReflectionFactory(author=colleague, meeting=meeting, text="")

    page = login(colleague).get(reverse("reflections:edit", args=[theirs.pk])).content.decode()

    assert "The colleague earlier note." in page
    assert "The author earlier note." not in page


def test_the_panel_holds_no_form_field_so_autosave_sends_none_of_it(birch, author, current, login):
    earlier = note_on(earlier_meeting(birch, 4, author), author, "Earlier words.")
    client = login(author)

    (panel,) = panels(client.get(reverse("reflections:edit", args=[current.pk])))
    response = client.post(
        reverse("reflections:autosave", args=[current.pk]),
        form_data(revision=str(current.revision), text="Typed on.", note_attunement="Now."),
    )

    assert not re.search(r"<(input|textarea|select|button)\b|\bname=", panel)
    assert response.status_code == 200, response.json()
    current.refresh_from_db()
    assert current.text == "Typed on."
    assert earlier.principle_notes.get().text == "Earlier words."


def test_earlier_for_is_the_authors_alone(birch, author, colleague, current):
    old = earlier_meeting(birch, 10, author, colleague)
    mine = note_on(old, author, "Mine.")
    note_on(old, colleague, "Theirs.")

    notes = list(PrincipleNote.objects.earlier_for(current))

    assert [n.reflection_id for n in notes] == [mine.pk]
    assert list(PrincipleNote.objects.earlier_for(Reflection(author=author))) == []


def _edit_page_queries(client, reflection) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reflections:edit", args=[reflection.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_panels_take_one_query_however_many_notes(
    birch, author, current, login, django_assert_num_queries
):
    client = login(author)
    without = _edit_page_queries(client, current)
    note_on(earlier_meeting(birch, 40, author), author, "One.")
    with_one = _edit_page_queries(client, current)
    for days_ago in range(1, 10):
        reflection = note_on(earlier_meeting(birch, days_ago, author), author, "Attuned.")
        for slug in ("validation", "connection-and-mutuality", "self-disclosure"):
            PrincipleNote.objects.create(
                reflection=reflection, principle=principle(slug), text=f"{slug} {days_ago}."
            )
    with_many = _edit_page_queries(client, current)

    # One query for the panels, run whether or not there are notes to show.
    assert without == with_one == with_many
    with django_assert_num_queries(1):
        list(PrincipleNote.objects.earlier_for(current))


def test_only_the_author_opens_the_form_with_the_panels(
    birch, author, colleague, supervisor, team_lead, current, login
):
    note_on(earlier_meeting(birch, 4, author), author, "Only mine.")

    for person in (colleague, supervisor, team_lead):
        response = login(person).get(reverse("reflections:edit", args=[current.pk]))
        assert response.status_code == 404
        assert b"Only mine." not in response.content
