"""The supervisor's inbox lists the summaries their intervision groups agreed to
take to supervision: group, session date, date agreed, whether responded, a
"New" tag until opened; never the themes or questions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from teams.models import GroupSupervisionLink, IntervisionGroup

pytestmark = pytest.mark.django_db

THEMES = "THEMES-MARKER-41c9"
QUESTIONS = "QUESTIONS-MARKER-41c9"


@pytest.fixture
def group(team, author, colleague):
    group = IntervisionGroup.objects.create(team=team, name="Tuesday peers", facilitator=colleague)
    group.members.add(author)
    return group


@pytest.fixture
def link(group, supervisor):
    return GroupSupervisionLink.objects.create(
        group=group, supervisor=supervisor, since=timezone.localdate() - timedelta(days=30)
    )


def summary_of(group, note_taker, *, agree=True, days_ago=3):
    """A session of `group` attended by its facilitator and the note-taker, and
    its summary, agreed by both (through the model's own methods)."""
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        note_taker=note_taker,
        facilitator=group.facilitator,
    )
    session.record(group.facilitator, attendees=[group.facilitator, note_taker])
    summary = SupervisionSummary.draft(session, note_taker, THEMES, QUESTIONS)
    if agree:
        summary.agree(note_taker)
        assert summary.agree(group.facilitator)
    return summary


def inbox(client):
    return client.get(reverse("supervision:inbox"))


def test_an_agreed_summary_waits_in_the_inbox_without_its_text(
    login, group, link, author, supervisor
):
    summary = summary_of(group, author)
    summary_of(group, author, agree=False, days_ago=1)  # a draft: not the supervisor's

    response = inbox(login(supervisor))

    page = response.content.decode()
    assert list(response.context["summaries_awaiting"]) == [summary]
    assert reverse("intervision:summary", args=[summary.pk]) in page
    assert "Tuesday peers (Riverside): session of" in page
    assert summary.session.held_on.strftime("%-d %B %Y") in page
    assert "Not responded to yet." in page
    assert 'nhsuk-tag--green">New</strong>' in page
    assert THEMES not in page
    assert QUESTIONS not in page


def test_opening_a_summary_clears_its_new_tag(login, group, link, author, supervisor):
    summary = summary_of(group, author)
    client = login(supervisor)
    assert inbox(client).context["summaries_awaiting"][0].is_new

    # What the summary's page does when the supervisor opens it.
    summary.read_by(supervisor)

    awaiting = inbox(client).context["summaries_awaiting"]
    assert [s.is_new for s in awaiting] == [False]
    # Another summary of the same group is still new.
    second = summary_of(group, author, days_ago=1)
    awaiting = inbox(client).context["summaries_awaiting"]
    assert {s.pk: s.is_new for s in awaiting} == {summary.pk: False, second.pk: True}


def test_a_response_shows_and_a_review_moves_it_to_reviewed_lately(
    login, group, link, author, supervisor
):
    summary = summary_of(group, author)
    summary.respond(supervisor, "RESPONSE-MARKER")
    client = login(supervisor)
    page = inbox(client).content.decode()
    assert 'nhsuk-tag--blue">Responded</strong>' in page
    assert "RESPONSE-MARKER" not in page

    summary.mark_reviewed(supervisor)

    response = inbox(client)
    assert list(response.context["summaries_awaiting"]) == []
    assert list(response.context["summaries_reviewed"]) == [summary]
    page = response.content.decode()
    assert "No summaries are waiting for your review." in page
    assert "Summaries reviewed lately" in page
    assert " by you." in page


def test_only_the_groups_current_supervisors_see_its_summaries(
    login, team, group, link, author, supervisor
):
    from tests.factories import MembershipFactory, UserFactory

    other = UserFactory(email="other.supervisor@example.org")
    MembershipFactory(user=other, team=team, role="supervisor")
    summary_of(group, author)
    # A supervisor not linked to the group sees nothing of it.
    assert list(inbox(login(other)).context["summaries_awaiting"]) == []
    # Nor does one whose link has ended.
    link.until = timezone.localdate() - timedelta(days=1)
    link.save()
    assert list(inbox(login(supervisor)).context["summaries_awaiting"]) == []


def test_a_group_member_sees_no_summaries_section(login, group, link, author):
    summary_of(group, author)

    response = inbox(login(author))

    assert "summaries_awaiting" not in response.context
    assert "Summaries from intervision groups" not in response.content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_the_summaries_cost_two_queries_however_many(
    login, group, link, author, supervisor, rows, django_assert_num_queries
):
    summaries = [summary_of(group, author, days_ago=day + 1) for day in range(rows)]
    for summary in summaries[::2]:
        summary.read_by(supervisor)
    summaries[-1].mark_reviewed(supervisor)
    client = login(supervisor)

    # As in test_sharing.py, less the page of shares (none waits, so only the
    # count is asked), and the summaries: waiting, reviewed lately.
    with django_assert_num_queries(9):
        response = inbox(client)

    assert len(response.context["summaries_awaiting"]) == rows - 1
    assert len(response.context["summaries_reviewed"]) == 1
