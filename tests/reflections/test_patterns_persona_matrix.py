"""Persona rows for My patterns and for the reflection form's earlier-notes panels.

My patterns has no id in its URL: it only ever shows the signed-in person's own
figures. So everyone signed in reaches it, and each sees their own: the
supervisor the author shares notes with, the team lead and an admin all get
their own (empty) page, with none of the author's marker figures, whatever the
query string says. Nobody, the author included, sees a note's text there.

The earlier-notes panel is on the author's own form only (anyone else: 404), and
on a colleague's own form it holds the colleague's notes, never the author's.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Activity, ActivityKind
from principles.models import Principle
from reflections.models import PrincipleNote, Status
from supervision.models import Share
from teams.models import SupervisionLink
from tests.factories import (
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

NOTE_MARKER = "Marker-note-patterns-5eed"
# The author's marker figures: minutes no one else has (the shared meeting's 90
# and 517 alone).
MEETING_MINUTES = 607
OTHER_MINUTES = 433
NOTES = 3

ME = "ok: my own figures"
EMPTY = "ok: my own, empty"
PERSONAS = {
    "anonymous": "login",
    "author": ME,
    "colleague": EMPTY,
    "outsider": EMPTY,
    "supervisor": EMPTY,
    "team_lead": EMPTY,
    "admin": EMPTY,
}


@pytest.fixture
def world(team, author, colleague, outsider, supervisor, team_lead, admin_user, meeting):
    """The author's notes (one shared with their supervisor), two meetings and
    some other work; the colleague attended the first meeting (90 minutes) too."""
    alone = NetworkMeetingFactory(
        network=meeting.network,
        starts_at=timezone.now() - timedelta(hours=3),
        duration_minutes=MEETING_MINUTES - meeting.duration_minutes,
    )
    PractitionerAttendanceFactory(meeting=alone, practitioner=author)
    attunement = Principle.objects.peer_practice().get(slug="attunement")
    notes = []
    for index in range(NOTES):
        reflection = ReflectionFactory(
            author=author,
            text=NOTE_MARKER,
            status=Status.FINAL,
            wellbeing=index,
            meeting=meeting if index == 0 else None,
        )
        PrincipleNote.objects.create(reflection=reflection, principle=attunement, text=NOTE_MARKER)
        notes.append(reflection)
    Activity.objects.create(
        practitioner=author,
        team=team,
        kind=ActivityKind.PRACTICAL_SUPPORT,
        done_on=timezone.localdate(),
        duration_minutes=OTHER_MINUTES,
    )
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    Share.objects.create(reflection=notes[0], supervisor=supervisor, include_disclosure=True)
    return {
        "author": author,
        "colleague": colleague,
        "outsider": outsider,
        "supervisor": supervisor,
        "team_lead": team_lead,
        "admin": admin_user,
        "anonymous": None,
    }


def shows_figure(body: str, figure: int) -> bool:
    """Whether the page shows the number as a figure: not inside a word, such as
    a CSRF token or a CSP nonce, where three digits can turn up by chance."""
    return re.search(rf"(?<![\w+/=-]){figure}(?![\w+/=-])", body) is not None


def client_as(client, login, person):
    return client if person is None else login(person)


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_my_patterns_persona_row(world, client, login, persona):
    author = world["author"]
    response = client_as(client, login, world[persona]).get(
        # Naming someone else in the query string changes nothing.
        reverse("reflections:patterns"),
        {"user": author.pk, "author": author.pk, "person": author.pk},
    )
    expected = PERSONAS[persona]
    body = response.content.decode()

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        return
    assert response.status_code == 200
    whole = response.context["whole"]
    if expected == ME:
        assert (whole.notes, whole.principles[0]) == (NOTES, NOTES)
        assert (whole.meeting_minutes, whole.other_minutes) == (MEETING_MINUTES, OTHER_MINUTES)
        assert shows_figure(body, MEETING_MINUTES)
    else:
        assert whole.notes == 0
        assert whole.principles == (0, 0, 0, 0)
        assert whole.wellbeing.answered == 0
        assert whole.other_minutes == 0
        assert whole.meeting_minutes == (90 if persona == "colleague" else 0)
        assert not shows_figure(body, MEETING_MINUTES)
        assert not shows_figure(body, OTHER_MINUTES)
    assert NOTE_MARKER not in body
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_the_colleague_at_the_same_meeting_counts_their_own_time_only(world, login, meeting):
    whole = login(world["colleague"]).get(reverse("reflections:patterns")).context["whole"]

    # The meeting they attended is theirs too; the author's notes and work are not.
    assert whole.meeting_minutes == meeting.duration_minutes == 90
    assert (whole.notes, whole.other_minutes) == (0, 0)


# The earlier-notes panel ------------------------------------------------------


@pytest.fixture
def later_meeting(meeting, author, colleague):
    """A later meeting of the same network, which both attended."""
    later = NetworkMeetingFactory(network=meeting.network, starts_at=timezone.now())
    PractitionerAttendanceFactory(meeting=later, practitioner=author)
    PractitionerAttendanceFactory(meeting=later, practitioner=colleague)
    return later


PANEL_ROWS = {
    "anonymous": "login",
    "author": "ok, with my earlier note",
    "colleague": "404",
    "outsider": "404",
    "supervisor": "404",
    "team_lead": "404",
    "admin": "404",
}


@pytest.mark.parametrize("persona", sorted(PANEL_ROWS))
def test_earlier_notes_panel_persona_row(world, later_meeting, client, login, persona):
    draft = ReflectionFactory(author=world["author"], meeting=later_meeting, text="")
    response = client_as(client, login, world[persona]).get(
        reverse("reflections:edit", args=[draft.pk])
    )
    expected = PANEL_ROWS[persona]
    body = response.content.decode()

    if expected == "login":
        assert response.status_code == 302
    elif expected == "404":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "app-earlier-notes" in body
    # Only the author ever sees the author's earlier note.
    assert (NOTE_MARKER in body) == (persona == "author")


def test_the_colleagues_own_form_shows_their_notes_never_the_authors(
    world, later_meeting, login, meeting
):
    colleague = world["colleague"]
    theirs = ReflectionFactory(author=colleague, meeting=meeting, text="", status=Status.FINAL)
    PrincipleNote.objects.create(
        reflection=theirs,
        principle=Principle.objects.peer_practice().get(slug="validation"),
        text="Colleague words",
    )
    draft = ReflectionFactory(author=colleague, meeting=later_meeting, text="")

    body = login(colleague).get(reverse("reflections:edit", args=[draft.pk])).content.decode()

    assert "Colleague words" in body
    assert NOTE_MARKER not in body


def test_a_general_note_of_the_author_is_never_an_earlier_note(world, later_meeting, login):
    # Two of the author's marker notes are general (no meeting): only the one on
    # the network's earlier meeting is shown, once.
    draft = ReflectionFactory(author=world["author"], meeting=later_meeting, text="")

    body = login(world["author"]).get(reverse("reflections:edit", args=[draft.pk])).content
    assert body.decode().count(NOTE_MARKER) == 1
