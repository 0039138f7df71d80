"""The pages tell the truth about who has a note, and about what a share withholds.

- The author's note page and editor say, at the top, whether a note is private or
  whom it is shared with (people and groups by name), since and until when,
  whether a share was revoked or ended, and who has read it.
- "Include my self-disclosure" means one thing everywhere: the note on the
  self-disclosure principle and the disclosure details, together. Left out, a
  recipient's page does not carry either (the server leaves them out).
- The share form says what the recipients will and will not see.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Status
from supervision.models import Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Marker-note-5e21: Mum spoke first."
ATTUNEMENT_TEXT = "Marker-attunement-90af: the silence of the brother."
PRINCIPLE_TEXT = "Marker-sd-principle-31b7: I almost told them about my own crisis."
WHAT_SHARED = "Marker-what-shared-c4d8: that I had been sectioned too"
WHAT_GUIDED = "Marker-what-guided-e6f0: Mum seemed so alone"
SELF_DISCLOSURE_TEXTS = [PRINCIPLE_TEXT, WHAT_SHARED, WHAT_GUIDED]


def member(team, role, email, **names):
    user = UserFactory(email=email, **names)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def my_supervisor(team, author):
    person = member(team, Role.SUPERVISOR, "sam@example.org", first_name="Sam", last_name="Okafor")
    SupervisionLink.objects.create(supervisor=person, supervisee=author)
    return person


@pytest.fixture
def facilitator(team):
    return member(
        team, Role.PEER_PRACTITIONER, "fran@example.org", first_name="Fran", last_name="Lund"
    )


@pytest.fixture
def peer(team):
    return member(
        team, Role.PEER_PRACTITIONER, "pat@example.org", first_name="Pat", last_name="Reyes"
    )


@pytest.fixture
def group(team, author, peer, facilitator):
    group = IntervisionGroup.objects.create(
        team=team, name="Lantern peers", facilitator=facilitator
    )
    group.members.add(author, peer)
    return group


def principle(slug):
    return Principle.objects.peer_practice().get(slug=slug)


@pytest.fixture
def note(author, meeting):
    """A finished note with something in every part, self-disclosure included."""
    reflection = ReflectionFactory(
        author=author, meeting=meeting, text=NOTE_TEXT, status=Status.FINAL, wellbeing=2
    )
    PrincipleNote.objects.create(
        reflection=reflection, principle=principle("attunement"), text=ATTUNEMENT_TEXT
    )
    PrincipleNote.objects.create(
        reflection=reflection,
        principle=principle("self-disclosure"),
        text=PRINCIPLE_TEXT,
        presence="clearly",
    )
    Disclosure.objects.create(
        reflection=reflection,
        disclosed="dialogue",
        what_shared=WHAT_SHARED,
        what_guided=WHAT_GUIDED,
        felt_safe="partly",
        colleague_response="supportive",
        emotional_cost=3,
    )
    return reflection


def page_of(client, name, pk):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


class _Headings(HTMLParser):
    """The text of every h1 to h6 on a page, and of the element with id who-has-it."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self._heading: list[str] | None = None
        self.summary = ""
        self._summary_depth = 0

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        if self._summary_depth:
            self._summary_depth += 1
        elif dict(attrs).get("id") == "who-has-it":
            self._summary_depth = 1

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        if self._summary_depth:
            self._summary_depth -= 1

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._summary_depth:
            self.summary += data


def parse(page: str) -> _Headings:
    parser = _Headings()
    parser.feed(page)
    parser.summary = " ".join(parser.summary.split())
    return parser


# Who has this note ---------------------------------------------------------


@pytest.mark.parametrize("name", ["reflections:detail", "reflections:edit"])
def test_a_shared_note_names_its_recipients_and_never_says_private(
    login, author, note, my_supervisor, group, name
):
    until = timezone.localdate() + timedelta(days=30)
    Share.objects.create(reflection=note, supervisor=my_supervisor, until=until)
    Share.objects.create(reflection=note, group=group, include_disclosure=True)

    page = page_of(login(author), name, note.pk)
    summary = parse(page).summary

    assert "private" not in page.lower()
    assert "Sam Okafor" in summary
    assert "Lantern peers" in summary
    # The group's people, by name: its facilitator and its other members.
    assert "Fran Lund" in summary
    assert "Pat Reyes" in summary
    assert f"until {until:%-d %B %Y}" in summary
    assert f"since {timezone.localdate():%-d %B %Y}" in summary
    assert "without your self-disclosure" in summary
    assert "with your self-disclosure" in summary


@pytest.mark.parametrize("name", ["reflections:detail", "reflections:edit"])
def test_a_draft_says_it_is_private_and_cannot_be_shared_until_finished(
    login, author, meeting, name
):
    draft = ReflectionFactory(author=author, meeting=meeting)

    summary = parse(page_of(login(author), name, draft.pk)).summary

    assert "Private: only you can see this draft." in summary
    assert "cannot be shared until you finish it" in summary


@pytest.mark.parametrize("name", ["reflections:detail", "reflections:edit"])
def test_an_unshared_note_says_it_is_private(login, author, note, name):
    summary = parse(page_of(login(author), name, note.pk)).summary

    assert "Private: only you can see this note." in summary
    assert "Shared with" not in summary


def test_revoked_and_ended_shares_are_named_and_the_note_is_private_again(
    login, author, note, my_supervisor, group
):
    Share.objects.create(reflection=note, supervisor=my_supervisor, revoked_at=timezone.now())
    Share.objects.create(
        reflection=note, group=group, until=timezone.localdate() - timedelta(days=1)
    )

    summary = parse(page_of(login(author), "reflections:detail", note.pk)).summary

    assert "Private: only you can see this note now." in summary
    assert re.search(r"Sam Okafor.*revoked", summary)
    assert re.search(r"Lantern peers.*ended", summary)
    assert "Shared with:" not in summary


def test_the_summary_says_who_has_read_it(login, author, note, my_supervisor):
    share = Share.objects.create(reflection=note, supervisor=my_supervisor)
    client = login(author)
    assert "No one else has read it" in parse(page_of(client, "reflections:edit", note.pk)).summary

    login(my_supervisor).get(share.get_absolute_url())

    for name in ["reflections:detail", "reflections:edit"]:
        summary = parse(page_of(login(author), name, note.pk)).summary
        assert re.search(r"Read by:? Sam Okafor", summary), name


@pytest.mark.parametrize("name", ["reflections:detail", "reflections:edit"])
def test_the_summary_costs_the_same_queries_for_few_shares_or_many(
    login, team, author, note, my_supervisor, group, name
):
    Share.objects.create(reflection=note, supervisor=my_supervisor)
    Share.objects.create(reflection=note, group=group)
    client = login(author)
    url = reverse(name, args=[note.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for index in range(3):
        other = IntervisionGroup.objects.create(
            team=team, name=f"Group {index}", facilitator=my_supervisor
        )
        other.members.add(author, UserFactory())
        Share.objects.create(reflection=note, group=other)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


# What "leave out my self-disclosure" withholds -----------------------------


@pytest.fixture
def shares(note, my_supervisor, group):
    return {
        "my_supervisor": Share.objects.create(reflection=note, supervisor=my_supervisor),
        "peer": Share.objects.create(reflection=note, group=group),
        "facilitator": Share.objects.get(reflection=note, group=group),
    }


@pytest.mark.parametrize("persona", ["my_supervisor", "peer", "facilitator"])
@pytest.mark.parametrize("include", [False, True])
def test_self_disclosure_is_withheld_or_shown_whole(request, login, shares, persona, include):
    share = shares[persona]
    Share.objects.filter(pk=share.pk).update(include_disclosure=include)

    page = page_of(login(request.getfixturevalue(persona)), "supervision:share_detail", share.pk)

    assert NOTE_TEXT in page
    assert ATTUNEMENT_TEXT in page
    for text in SELF_DISCLOSURE_TEXTS:
        assert (text in page) is include, text
    if include:
        assert "Partly" in page  # did it feel safe
        assert "3 of 4" in page  # emotional cost
    else:
        assert "3 of 4" not in page
        assert "did not share their self-disclosure" in page


def test_a_recipients_refused_response_page_withholds_the_same(login, shares, my_supervisor):
    share = shares["my_supervisor"]

    response = login(my_supervisor).post(
        reverse("supervision:respond", args=[share.pk]), {"text": ""}
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert NOTE_TEXT in page
    for text in SELF_DISCLOSURE_TEXTS:
        assert text not in page


@pytest.mark.parametrize("persona", ["my_supervisor", "peer"])
def test_the_inbox_shows_no_note_text(request, login, shares, persona):
    Share.objects.update(include_disclosure=True)

    response = login(request.getfixturevalue(persona)).get(reverse("supervision:inbox"))
    page = response.content.decode()

    for text in [NOTE_TEXT, ATTUNEMENT_TEXT, *SELF_DISCLOSURE_TEXTS]:
        assert text not in page


def test_visible_principle_notes_follow_the_choice(note, my_supervisor):
    share = Share.objects.create(reflection=note, supervisor=my_supervisor)

    assert [n.principle.slug for n in share.visible_principle_notes()] == ["attunement"]
    assert share.visible_disclosure() is None
    assert not share.shows_self_disclosure

    share.include_disclosure = True
    assert [n.principle.slug for n in share.visible_principle_notes()] == [
        "attunement",
        "self-disclosure",
    ]
    assert share.visible_disclosure().what_shared == WHAT_SHARED
    assert share.shows_self_disclosure


# The share form ------------------------------------------------------------


def test_the_share_form_says_what_they_will_and_will_not_see(login, author, note, my_supervisor):
    page = page_of(login(author), "supervision:share", note.pk)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" ,", ",")

    seen, _, unseen = text.partition("They will not see")
    seen = seen.split("They will see", 1)[1]
    for part in [
        "“What happened between us”",
        "“Attunement (principle)”",
        "“Validation (principle)”",
        "“Connection and mutuality (principle)”",
        "would like to talk about it in supervision",
    ]:
        assert part in seen, part
    for part in ["how you were after the meeting", "earlier versions"]:
        assert part in unseen, part
    # Without JavaScript, both outcomes of the checkbox are stated.
    both = "your sections “Self-disclosure (principle)” and “Disclosure details”"
    assert f"{both}, only if you tick “Include my self-disclosure”" in seen
    assert f"{both}, unless you tick “Include my self-disclosure”" in unseen
    assert "Self-disclosure (principle)" not in seen.replace(both, "")
    assert "Include my self-disclosure" in text


def test_sharing_records_the_one_choice(login, author, note, my_supervisor):
    login(author).post(
        reverse("supervision:share", args=[note.pk]),
        {"supervisors": [my_supervisor.pk], "include_disclosure": "on"},
    )

    share = Share.objects.get(reflection=note)
    assert share.include_disclosure
    event = AuditEvent.objects.get(action=Action.SHARE)
    assert event.share_id == share.pk


# Section headings ----------------------------------------------------------


def test_no_two_section_headings_are_the_same(login, author, note, my_supervisor, group):
    Share.objects.create(reflection=note, supervisor=my_supervisor, include_disclosure=True)
    Share.objects.create(reflection=note, group=group, include_disclosure=True)
    client = login(author)

    for name in ["reflections:detail", "reflections:edit"]:
        headings = parse(page_of(client, name, note.pk)).headings
        assert len(headings) == len(set(headings)), (name, headings)
        assert "Disclosure details" in headings
        assert "Self-disclosure (principle)" in headings

    share = Share.objects.get(supervisor=my_supervisor)
    headings = parse(page_of(login(my_supervisor), "supervision:share_detail", share.pk)).headings
    assert len(headings) == len(set(headings)), headings
    assert "Disclosure details" in headings
    assert "Self-disclosure (principle)" in headings


def test_the_export_names_the_two_sections_apart(login, author, note):
    response = login(author).get(reverse("reflections:export_markdown"))
    text = b"".join(response.streaming_content).decode()

    assert "### Self-disclosure (principle)" in text
    assert "### Disclosure details" in text
    assert "### Self-disclosure\n" not in text


def test_my_reflections_mark_the_shared_notes(login, author, note, my_supervisor):
    ReflectionFactory(author=author, text="Marker-unshared-8d2e")
    client = login(author)
    assert 'nhsuk-tag--blue">Shared' not in page_of_timeline(client)

    Share.objects.create(reflection=note, supervisor=my_supervisor)

    page = page_of_timeline(client)
    assert page.count('nhsuk-tag--blue">Shared') == 1
    assert "Only you can see these." not in page


def page_of_timeline(client):
    return client.get(reverse("reflections:timeline")).content.decode()
