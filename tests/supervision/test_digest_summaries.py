"""The digest counts the summaries a supervisor's intervision groups agreed to
take to supervision: waiting for review, and agreed since the last digest. Counts
and a link only: never a summary's themes, questions or response, nor a group's
or an attendee's name."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from supervision.digest import Digest, build_digest, deliver_digest, render_digest
from supervision.models import DigestDelivery, DigestPreference, Frequency
from teams.models import GroupSupervisionLink, IntervisionGroup, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A Wednesday, as in test_digest.py.
NOW = datetime(2025, 6, 4, 10, 0, tzinfo=UTC)
MARKER = "MARKER-c0d4"


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.SITE_URL = "https://reflect.example.org"
    settings.SERVICE_NAME = "Riverside Reflect"


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def ago(**kwargs) -> datetime:
    return NOW - timedelta(**kwargs)


@pytest.fixture
def supervised(make_supervisor, at_now):
    """A supervisor, and a group of their team they supervise since 30 days ago."""
    supervisor = make_supervisor("sam@example.org")
    team = Membership.objects.get(user=supervisor).team
    facilitator, note_taker = UserFactory(), UserFactory()
    for person in (facilitator, note_taker):
        Membership.objects.create(user=person, team=team, role=Role.PEER_PRACTITIONER)
    group = IntervisionGroup.objects.create(team=team, name="Peers", facilitator=facilitator)
    group.members.add(note_taker)
    # Made when it started: the summaries below are dated back, and a link
    # reaches only what was agreed after it was made.
    GroupSupervisionLink.objects.create(
        group=group,
        supervisor=supervisor,
        since=timezone.localdate() - timedelta(days=30),
        created_at=timezone.now() - timedelta(days=30),
    )
    return supervisor, group, note_taker


def summary_of(group, note_taker, *, agreed_at=None, themes="Themes", questions="Questions"):
    """A session of `group` and its summary, agreed by both who attended (through
    the model's methods), then moved to `agreed_at` when given."""
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate() - timedelta(days=7),
        note_taker=note_taker,
        facilitator=group.facilitator,
    )
    session.record(group.facilitator, attendees=[group.facilitator, note_taker])
    summary = SupervisionSummary.draft(session, note_taker, themes, questions)
    if agreed_at is not None:
        summary.agree(note_taker)
        assert summary.agree(group.facilitator)
        SupervisionSummary.objects.filter(pk=summary.pk).update(
            agreed_at=agreed_at, agreed_on=timezone.localdate(agreed_at)
        )
        summary.refresh_from_db()
    return summary


def test_the_digest_counts_summaries_waiting_and_newly_agreed(supervised, make_supervisor):
    supervisor, group, note_taker = supervised
    DigestDelivery.objects.create(
        supervisor=supervisor, period_start=ago(days=9), sent_at=ago(days=2)
    )
    summary_of(group, note_taker, agreed_at=ago(days=5))  # waiting, agreed before
    summary_of(group, note_taker, agreed_at=ago(days=1))  # waiting, and new
    reviewed = summary_of(group, note_taker, agreed_at=ago(hours=5))  # new, reviewed
    reviewed.mark_reviewed(supervisor)
    summary_of(group, note_taker)  # a draft: the supervisor does not see it
    # Agreed before the supervisor's link started: not theirs.
    summary_of(group, note_taker, agreed_at=ago(days=40))
    # Another group of the team, which they do not supervise.
    elsewhere = IntervisionGroup.objects.create(
        team=group.team, name="Elsewhere", facilitator=group.facilitator
    )
    elsewhere.members.add(note_taker)
    summary_of(elsewhere, note_taker, agreed_at=ago(days=1))
    # Another supervisor of the same group counts the same summaries.
    cover = make_supervisor("cover@example.org", team=group.team)
    GroupSupervisionLink.objects.create(
        group=group, supervisor=cover, since=ago(days=60).date(), created_at=ago(days=60)
    )

    digest = build_digest(supervisor, NOW)

    assert (digest.summaries_awaiting_review, digest.summaries_newly_agreed) == (2, 2)
    assert not digest.is_empty
    assert build_digest(cover, NOW).summaries_awaiting_review == 3


def test_an_ended_link_counts_nothing(supervised):
    supervisor, group, note_taker = supervised
    summary_of(group, note_taker, agreed_at=ago(days=3))
    GroupSupervisionLink.objects.filter(supervisor=supervisor).update(
        until=timezone.localdate(NOW) - timedelta(days=1)
    )

    digest = build_digest(supervisor, NOW)

    assert (digest.summaries_awaiting_review, digest.summaries_newly_agreed) == (0, 0)
    assert digest.is_empty


def test_a_group_members_digest_counts_no_summaries(supervised):
    _, group, note_taker = supervised
    DigestPreference.objects.create(user=note_taker, frequency=Frequency.WEEKLY)
    summary_of(group, note_taker, agreed_at=ago(days=1))

    digest = build_digest(note_taker, NOW)

    assert (digest.summaries_awaiting_review, digest.summaries_newly_agreed) == (0, 0)


def test_summaries_alone_are_worth_a_digest(supervised, mailoutbox):
    supervisor, group, note_taker = supervised
    summary_of(group, note_taker, agreed_at=ago(days=1))

    assert deliver_digest(supervisor.pk) == "sent"

    (email,) = mailoutbox
    assert email.subject == "1 intervision summary waiting for your review · Riverside Reflect"
    assert (
        "1 summary from the intervision groups you supervise is waiting for your review. "
        "1 was agreed since your last digest." in email.body
    )


# The email --------------------------------------------------------------------


def digest(**counts) -> Digest:
    values = {
        "frequency": "weekly",
        "awaiting_review": 0,
        "newly_shared": 0,
        "oldest_waiting_days": None,
        "want_to_talk": 0,
        "intervision_groups": 0,
        "intervision_shared": 0,
        "intervision_responses": 0,
        "inbox_url": "https://reflect.example.org/supervision/",
    }
    return Digest(**{**values, **counts})


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_email_says_the_summary_counts_plainly():
    subject, text, html = render_digest(
        digest(awaiting_review=1, summaries_awaiting_review=3, summaries_newly_agreed=2)
    )

    # Shared notes lead the subject; the summaries are in the body.
    assert subject == "1 shared note waiting for your review · Riverside Reflect"
    for body in (text, plain(html)):
        assert (
            "3 summaries from the intervision groups you supervise are waiting for your "
            "review. 2 were agreed since your last digest." in body
        )
    assert "\n\n\n" not in text


def test_summaries_agreed_and_already_reviewed():
    subject, text, html = render_digest(digest(summaries_newly_agreed=2))

    assert subject == "Your weekly digest · Riverside Reflect"
    for body in (text, plain(html)):
        assert (
            "2 summaries from the intervision groups you supervise were agreed since your "
            "last digest, and have been reviewed." in body
        )


def test_no_summaries_no_sentence():
    _, text, html = render_digest(digest(awaiting_review=2))

    assert "summar" not in text
    assert "summar" not in html.lower().replace("</title>", "")


def test_the_email_carries_no_summary_content(supervised, mailoutbox):
    supervisor, group, note_taker = supervised
    group.name = f"{MARKER} group"
    group.save()
    note_taker.first_name = note_taker.last_name = MARKER
    note_taker.save()
    summary = summary_of(group, note_taker, agreed_at=ago(days=1), themes=MARKER, questions=MARKER)
    summary.respond(supervisor, MARKER)

    assert deliver_digest(supervisor.pk) == "sent"

    (email,) = mailoutbox
    for part in (email.subject, email.body, email.alternatives[0].content):
        assert MARKER.lower() not in part.lower()
        assert note_taker.email not in part
    # The summary was counted, so the email is about it.
    assert "1 summary from the intervision groups you supervise is waiting" in email.body
