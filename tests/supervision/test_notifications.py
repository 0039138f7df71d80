"""Notifications for everyone, content-free: in-app "new" markers and the
practitioner's and group member's digest (supervision/notifications.py,
supervision/digest.py).

- An author sees "New response" and "Reviewed" on My practice, My reflections
  and the note page, until they open the note.
- A group member or facilitator sees "New" and "New response" on group shares
  in the inbox, until they open the shared note.
- Nobody sees a marker for what they may not see (a former group member, a
  supervisor whose link has ended).
- A practitioner's or member's digest is off unless chosen, claimed once, and
  carries no text.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reflections.models import Status
from supervision.digest import build_digest, deliver_digest, due_supervisor_ids
from supervision.models import DigestDelivery, DigestPreference, Frequency, Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import ReflectionFactory, UserFactory

MARKER = "Quillfeather"


@pytest.fixture
def linked(author, supervisor):
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=30)
    )
    return supervisor


@pytest.fixture
def note_share(author, linked):
    reflection = ReflectionFactory(
        author=author, status=Status.FINAL, finished_at=timezone.now(), text=MARKER
    )
    return Share.objects.create(reflection=reflection, supervisor=linked)


@pytest.fixture
def group(team, author, colleague):
    facilitator = UserFactory(email="facilitator@example.org")
    Membership.objects.create(user=facilitator, team=team, role=Role.PEER_PRACTITIONER)
    group = IntervisionGroup.objects.create(team=team, name="Thursday", facilitator=facilitator)
    group.members.add(author, colleague)
    return group


@pytest.fixture
def group_share(author, group):
    reflection = ReflectionFactory(
        author=author, status=Status.FINAL, finished_at=timezone.now(), text=MARKER
    )
    return Share.objects.create(reflection=reflection, group=group)


def _tags(html: str) -> tuple[bool, bool]:
    return "New response" in html, ">Reviewed<" in html


# The author's markers ----------------------------------------------------------


def test_an_author_sees_a_new_response_and_review_until_opening_the_note(
    login, author, note_share, linked
):
    note_share.respond(linked, "A thought")
    note_share.mark_reviewed(linked)
    client = login(author)

    for page in (reverse("home"), reverse("reflections:timeline")):
        assert _tags(client.get(page).content.decode()) == (True, True), page
    # The note page says it this once...
    assert _tags(client.get(note_share.reflection.get_absolute_url()).content.decode()) == (
        True,
        True,
    )
    # ...and opening it clears the markers everywhere.
    for page in (
        reverse("home"),
        reverse("reflections:timeline"),
        note_share.reflection.get_absolute_url(),
    ):
        assert _tags(client.get(page).content.decode()) == (False, False), page


@pytest.mark.parametrize(
    ("news", "expected"),
    [("response", (True, False)), ("review", (False, True)), ("none", (False, False))],
)
def test_my_practice_lists_a_note_once_for_each_kind_of_news(
    login, author, note_share, linked, group, news, expected
):
    # The same note shared twice: listed once, whichever share has the news.
    Share.objects.create(reflection=note_share.reflection, group=group)
    if news == "response":
        note_share.respond(linked, "A thought")
    elif news == "review":
        note_share.mark_reviewed(linked)

    response = login(author).get(reverse("home"))

    listed = [reflection.pk for reflection in response.context["news"]]
    assert listed == ([] if news == "none" else [note_share.reflection_id])
    assert _tags(response.content.decode()) == expected


def test_a_later_response_is_new_again(login, author, note_share, linked):
    client = login(author)
    client.get(note_share.reflection.get_absolute_url())
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        note_share.respond(linked, "Another thought")
        assert _tags(client.get(reverse("reflections:timeline")).content.decode()) == (
            True,
            False,
        )


def test_the_authors_own_reply_is_not_new_to_them(login, author, note_share):
    note_share.respond(author, "My reply")

    assert _tags(login(author).get(reverse("home")).content.decode()) == (False, False)


# Group markers -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "facilitator"])
def test_group_shares_and_responses_are_new_to_members_and_the_facilitator(
    request, login, group, group_share, author, who
):
    person = group.facilitator if who == "facilitator" else request.getfixturevalue(who)
    client = login(person)
    inbox = reverse("supervision:inbox")

    assert ">New<" in client.get(inbox).content.decode()
    client.get(group_share.get_absolute_url())
    page = client.get(inbox).content.decode()
    assert ">New<" not in page
    assert "New response" not in page

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        group_share.respond(author, "A reply")
        assert "New response" in client.get(inbox).content.decode()
        client.get(group_share.get_absolute_url())
        assert "New response" not in client.get(inbox).content.decode()


def test_a_former_member_sees_no_markers(login, group, group_share, colleague, author):
    group_share.respond(author, "A reply")
    group.members.remove(colleague)

    page = login(colleague).get(reverse("supervision:inbox")).content.decode()

    assert ">New<" not in page
    assert "New response" not in page
    assert group_share.reflection.title not in page


def test_an_ended_supervisor_sees_no_markers(login, note_share, linked, author):
    SupervisionLink.objects.filter(supervisor=linked).update(
        until=timezone.localdate() - timedelta(days=1)
    )

    page = login(linked).get(reverse("supervision:inbox")).content.decode()

    assert ">New<" not in page


def test_a_markers_row_for_a_share_no_longer_visible_shows_nothing_to_the_author(
    login, author, note_share, linked
):
    note_share.respond(linked, "A thought")
    SupervisionLink.objects.filter(supervisor=linked).update(
        until=timezone.localdate() - timedelta(days=1)
    )
    # The author still sees their own share and its thread: the response is news.
    assert _tags(login(author).get(reverse("home")).content.decode())[0]


@pytest.mark.parametrize("rows", [3, 30])
def test_my_reflections_with_markers_runs_a_fixed_number_of_queries(
    login, author, linked, rows, django_assert_num_queries
):
    for _ in range(rows):
        share = Share.objects.create(
            reflection=ReflectionFactory(author=author, status=Status.FINAL), supervisor=linked
        )
        share.respond(linked, "A thought")
    client = login(author)

    # As without markers (tests/reflections/test_finding_and_export.py): they
    # are subqueries in the page's own query.
    with django_assert_num_queries(7):
        client.get(reverse("reflections:timeline"))


@pytest.mark.parametrize("rows", [3, 30])
def test_the_inbox_with_group_markers_runs_a_fixed_number_of_queries(
    login, group, author, colleague, rows, django_assert_num_queries
):
    for _ in range(rows):
        share = Share.objects.create(
            reflection=ReflectionFactory(author=author, status=Status.FINAL), group=group
        )
        share.respond(author, "A reply")
    client = login(colleague)

    # session, user, supervisor role, awaiting count, reviewed, group shares (with
    # their markers and groups in the same query), my groups and their members:
    # the same at 3 and 30.
    with django_assert_num_queries(7):
        content = client.get(reverse("supervision:inbox")).content.decode()
    # The group as its members see it: facilitator and members by name.
    assert f"facilitated by {group.facilitator}" in content
    assert str(author) in content


# The digest for everyone -----------------------------------------------------------


def test_a_practitioners_digest_is_off_unless_chosen(author, note_share, linked):
    note_share.respond(linked, "A thought")

    assert author.pk not in due_supervisor_ids(timezone.now())
    assert deliver_digest(author.pk) == "no digest"


def test_everyone_can_choose_a_digest_from_my_practice(login, author):
    client = login(author)
    assert 'action="{}"'.format(reverse("supervision:digest_preference")) in (
        client.get(reverse("home")).content.decode()
    )

    response = client.post(reverse("supervision:digest_preference"), {"frequency": "daily"})

    assert response.url == reverse("home")
    assert DigestPreference.objects.get(user=author).frequency == Frequency.DAILY


def test_a_practitioners_digest_counts_their_notes_once_and_carries_no_text(
    author, note_share, linked, mailoutbox, settings
):
    settings.SITE_URL = "https://reflect.example.org"
    DigestPreference.objects.create(user=author, frequency=Frequency.DAILY)
    note_share.respond(linked, MARKER)
    note_share.mark_reviewed(linked)
    now = timezone.now() + timedelta(minutes=1)

    digest = build_digest(author, now)
    assert (digest.my_new_responses, digest.my_new_reviews, digest.is_supervisor) == (1, 1, False)
    assert author.pk in due_supervisor_ids(now)
    assert deliver_digest(author.pk, now) == "sent"
    assert deliver_digest(author.pk, now) == "already sent"
    assert author.pk not in due_supervisor_ids(now)

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [author.email]
    everything = email.subject + email.body + email.alternatives[0][0]
    assert "1 new response and 1 review" in email.body
    for secret in (MARKER, note_share.reflection.title, str(linked), "waiting for your review"):
        assert secret not in everything
    assert DigestDelivery.objects.filter(supervisor=author).count() == 1


def test_a_facilitators_digest_counts_their_groups_once_and_carries_no_text(
    group, group_share, author, mailoutbox
):
    facilitator = group.facilitator
    DigestPreference.objects.create(user=facilitator, frequency=Frequency.WEEKLY)
    group_share.respond(author, MARKER)
    now = timezone.now() + timedelta(minutes=1)

    digest = build_digest(facilitator, now)
    assert (digest.intervision_groups, digest.intervision_shared) == (1, 1)
    assert digest.intervision_responses == 1
    assert deliver_digest(facilitator.pk, now) == "sent"
    assert deliver_digest(facilitator.pk, now) == "already sent"

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    everything = email.subject + email.body + email.alternatives[0][0]
    for secret in (MARKER, group.name, str(author), author.email):
        assert secret not in everything


def test_a_former_members_digest_counts_nothing_of_the_group(group, group_share, colleague, author):
    DigestPreference.objects.create(user=colleague, frequency=Frequency.DAILY)
    group_share.respond(author, "A reply")
    group.members.remove(colleague)

    digest = build_digest(colleague, timezone.now() + timedelta(minutes=1))

    assert digest.is_empty
