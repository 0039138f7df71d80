"""Immediate help, network members at meetings and reflecting conversations:
their queries on hand-made data with known answers, and what their sections
publish (small counts suppressed, medians and averages withheld under 8)."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from dashboards.measures import (
    immediate_help,
    participation,
    peer_present,
    person_present,
    reflecting_conversations,
)
from dashboards.measures.base import Context, month_label
from meetings.models import MemberAttendance
from tests.dashboards.conftest import PERIOD, at
from tests.factories import NetworkFactory, NetworkMeetingFactory, NetworkMemberFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
OPENED = date(2023, 1, 1)


def context(rows, team_ids, period=PERIOD) -> Context:
    """A page's context from a measure's rows, as the rollup would give it."""
    figures: Counter = Counter()
    for team, month, measure, category, value in rows:
        if team in team_ids:
            figures[(team, month, measure, category)] += value
    months = period.months()
    return Context(
        team_ids=list(team_ids),
        period=period,
        months=months,
        labels=[month_label(m) for m in months],
        figures=figures,
    )


def synthetic(measure: str, values: dict[tuple[date, str], int]) -> Context:
    """A context straight from {(month, category): value}, for one team."""
    figures = Counter({(1, month, measure, category): n for (month, category), n in values.items()})
    months = PERIOD.months()
    return Context([1], PERIOD, months, [month_label(m) for m in months], figures)


def texts(section) -> dict[str, str]:
    return {label: figure.text for label, figure in section.figures}


def table(section) -> list[tuple[str, list[str]]]:
    return [(label, [f.text for f in row]) for label, row in section.table.rows]


# Immediate help -------------------------------------------------------------------


def contacted(team, contact: date, *meetings: datetime):
    network = NetworkFactory(team=team, opened_on=OPENED, first_contact_on=contact)
    for when in meetings:
        NetworkMeetingFactory(network=network, starts_at=when)
    return network


@pytest.fixture
def first_contacts(team, other_team):
    contacted(team, date(2025, 1, 3), at(1, 5), at(1, 20))  # 2 days, Jan
    contacted(team, date(2025, 1, 10), at(1, 10))  # the same day, Jan
    contacted(team, date(2023, 12, 1), at(2, 3))  # 430 days: over a year, Feb
    contacted(team, date(2023, 6, 1), at(2, 4))  # 614 days: over a year, Feb
    NetworkMeetingFactory(network=NetworkFactory(team=team, opened_on=OPENED), starts_at=at(1, 6))
    contacted(team, date(2025, 1, 20), at(1, 15))  # contact after the meeting: a mistake
    contacted(team, date(2024, 11, 28), at(12, 2, 2024), at(1, 7))  # first met before the period
    contacted(team, date(2025, 3, 1))  # no meeting yet
    contacted(other_team, date(2025, 1, 1), at(1, 2))  # another team's


def test_immediate_help_counts_days_from_first_contact_to_first_meeting(
    team, first_contacts, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = immediate_help.rows([team.pk], PERIOD)

    assert sorted(rows) == [
        (team.pk, JAN, "first_contact_days", "0", 1),
        (team.pk, JAN, "first_contact_days", "2", 1),
        (team.pk, FEB, "first_contact_days", "366+", 2),
    ]


def test_immediate_help_for_every_team_any_time(team, other_team, first_contacts):
    rows = sorted(immediate_help.rows(None, None))

    assert (team.pk, date(2024, 12, 1), "first_contact_days", "4", 1) in rows
    assert (other_team.pk, JAN, "first_contact_days", "1", 1) in rows
    assert len(rows) == 5


def test_immediate_help_counts_days_in_the_site_time_zone(team):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: a day after the contact,
    # in July.
    contacted(team, date(2025, 6, 30), datetime(2025, 6, 30, 23, 30, tzinfo=UTC))

    assert immediate_help.rows([team.pk], None) == [
        (team.pk, date(2025, 7, 1), "first_contact_days", "1", 1)
    ]


def test_immediate_help_publishes_the_median_and_the_share_within_a_day(team, other_team):
    # January: 13 networks, 8 of them met within a day (0, 0, 0, 1, 1, 1, 1, 1).
    for days in [0, 0, 0, 1, 1, 1, 1, 1, 3, 3, 3, 7, 7]:
        contacted(team, date(2025, 1, 20) - timedelta(days=days), at(1, 20))
    # February: 3 networks, too few for anything but "fewer than 8".
    for days in [2, 2, 5]:
        contacted(team, date(2025, 2, 10) - timedelta(days=days), at(2, 10))
    # Another team's, which the page for this team does not count.
    for _ in range(8):
        contacted(other_team, date(2025, 1, 1), at(1, 30))

    section = immediate_help.section(context(immediate_help.rows(None, PERIOD), [team.pk]))

    assert section.slug == "immediate-help"
    assert section.what_it_tells == immediate_help.WHAT_IT_TELLS
    # The period adds up the published months: January's 13 (15) and
    # February's hidden 3, so a range, and the share of a range is withheld.
    # January alone: 8 within a day (10) of 13 (15), 67%.
    assert texts(section) == {
        "First meetings with a first contact date": "14 to 24",
        # Over a range of networks, no median (it would tell how many there were).
        "Median days from first contact": "withheld",
        "Share met by the next day": "withheld",
    }
    assert table(section) == [
        ("Jan 2025", ["15", "1 day", "67%"]),
        ("Feb 2025", ["fewer than 8", "withheld", "withheld"]),
        ("Mar 2025", ["0", "none", "none"]),
    ]
    assert [point.figure.value for point in section.line_chart.points] == [67, None, None]


def test_an_immediate_help_median_over_a_year_says_so():
    ctx = synthetic("first_contact_days", {(JAN, "366+"): 8, (FEB, "366+"): 9, (FEB, "3"): 1})

    section = immediate_help.section(ctx)

    # 8 and 10 networks, published exactly: 18, so the median may show.
    assert texts(section)["Median days from first contact"] == "366 days or more"
    assert table(section)[1][1][1] == "366 days or more"


def test_a_median_shows_only_over_a_published_count_of_8_or_more():
    """Found by trying the app: a median shown whenever 8 or more values lay
    behind it told, period by period, how many there were (shown for June to
    October, withheld for July to October). Now it follows the published count
    of what it is a median of: withheld when that is hidden or a range."""
    ctx = synthetic("first_contact_days", {(JAN, "2"): 6, (FEB, "2"): 5})

    section = immediate_help.section(ctx)

    # 11 networks, but published as two hidden months: "2 to 14", so no median.
    assert texts(section)["First meetings with a first contact date"] == "2 to 14"
    assert texts(section)["Median days from first contact"] == "withheld"


# Network members at meetings ------------------------------------------------------


@pytest.fixture
def attended(team, other_team):
    network = NetworkFactory(team=team, opened_on=OPENED)
    mum, dad, sister = (NetworkMemberFactory(network=network, name=n) for n in "ABC")
    # January: 8 meetings, 17 present (two at each, three at one).
    for day in range(1, 9):
        meeting = NetworkMeetingFactory(network=network, starts_at=at(1, day))
        for member in [mum, dad, sister] if day == 1 else [mum, dad]:
            MemberAttendance.objects.create(meeting=meeting, member=member)
    # February: 2 meetings, one present at each.
    for day in (3, 4):
        meeting = NetworkMeetingFactory(network=network, starts_at=at(2, day))
        MemberAttendance.objects.create(meeting=meeting, member=mum)
    # Before the period, and another team's: not counted.
    before = NetworkMeetingFactory(network=network, starts_at=at(12, 20, 2024))
    MemberAttendance.objects.create(meeting=before, member=mum)
    elsewhere = NetworkFactory(team=other_team, opened_on=OPENED)
    meeting = NetworkMeetingFactory(network=elsewhere, starts_at=at(1, 3))
    MemberAttendance.objects.create(meeting=meeting, member=NetworkMemberFactory(network=elsewhere))


def test_participation_counts_meetings_and_members_present(
    team, attended, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = participation.rows([team.pk], PERIOD)

    assert sorted(rows) == [
        (team.pk, JAN, "members_present", "present", 17),
        (team.pk, FEB, "members_present", "present", 2),
    ]


def test_participation_averages_the_published_counts(team, attended):
    rows = participation.rows(None, PERIOD) + peer_present.rows(None, PERIOD)
    section = participation.section(context(rows, [team.pk]))

    # January's published counts (10 and 15) plus February's hidden ones: ranges,
    # so no average for the period; January's is of its published counts.
    assert texts(section) == {
        "Network meetings": "9 to 19",
        "Network members present": "14 to 24",
        "Average present per meeting": "withheld",
    }
    assert table(section) == [
        ("Jan 2025", ["10", "15", "1.5 per meeting"]),
        ("Feb 2025", ["fewer than 8", "fewer than 8", "withheld"]),
        ("Mar 2025", ["0", "0", "none"]),
    ]


def test_participation_withholds_the_average_when_either_count_is_suppressed():
    nobody = peer_present.category(peer=False, professional=False, first=False)
    figures = {(JAN, nobody): 12, (FEB, nobody): 5}
    ctx = synthetic(peer_present.KEY, figures)
    ctx.figures.update(
        {(1, JAN, participation.KEY, "present"): 3, (1, FEB, participation.KEY, "present"): 30}
    )

    section = participation.section(ctx)

    rows = dict(table(section))
    assert rows["Jan 2025"] == ["10", "fewer than 8", "withheld"]
    assert rows["Feb 2025"] == ["fewer than 8", "30", "withheld"]
    # The whole period adds up the published months: 10 and a hidden month of
    # meetings, a hidden month and 30 present: ranges, so no average.
    assert texts(section)["Network meetings"] == "9 to 19"
    assert texts(section)["Network members present"] == "29 to 39"
    assert texts(section)["Average present per meeting"] == "withheld"
    assert section.figures[2][1].value is None


# Reflecting conversations -----------------------------------------------------------


@pytest.fixture
def reflecting(team, other_team):
    network = NetworkFactory(team=team, opened_on=OPENED)
    for day in range(1, 14):  # January: 13 meetings, 9 with a reflecting conversation
        NetworkMeetingFactory(
            network=network, starts_at=at(1, day), reflecting_conversation=day < 10
        )
    for day in range(1, 5):  # February: 4 meetings, 2 with one
        NetworkMeetingFactory(
            network=network, starts_at=at(2, day), reflecting_conversation=day < 3
        )
    NetworkMeetingFactory(network=network, starts_at=at(12, 1, 2024), reflecting_conversation=True)
    elsewhere = NetworkFactory(team=other_team, opened_on=OPENED)
    NetworkMeetingFactory(network=elsewhere, starts_at=at(1, 2), reflecting_conversation=True)


def test_reflecting_conversations_are_counted_by_month(
    team, other_team, reflecting, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = reflecting_conversations.rows([team.pk], PERIOD)

    assert sorted(rows) == [
        (team.pk, JAN, "reflecting", "with_reflecting", 9),
        (team.pk, FEB, "reflecting", "with_reflecting", 2),
    ]
    assert (other_team.pk, JAN, "reflecting", "with_reflecting", 1) in (
        reflecting_conversations.rows(None, None)
    )


def test_reflecting_conversations_share_is_published_from_rounded_counts(team, reflecting):
    rows = reflecting_conversations.rows(None, PERIOD) + peer_present.rows(None, PERIOD)
    section = reflecting_conversations.section(context(rows, [team.pk]))

    # January: 15 meetings and 10 with one (as published), 67%. The period adds
    # February's hidden months to them: ranges, and no share.
    assert texts(section) == {
        "Network meetings": "14 to 24",
        "With a reflecting conversation": "9 to 19",
        "Share with a reflecting conversation": "withheld",
    }
    assert table(section) == [
        ("Jan 2025", ["15", "10", "67%"]),
        ("Feb 2025", ["fewer than 8", "fewer than 8", "withheld"]),
        ("Mar 2025", ["0", "0", "none"]),
    ]
    assert [p.figure.value for p in section.line_chart.points] == [67, None, None]


@pytest.mark.parametrize("measure", [immediate_help, participation, reflecting_conversations])
def test_each_measure_has_its_words(measure):
    assert measure.KEY and measure.SLUG and measure.TITLE
    assert measure.DEFINITION and measure.WHAT_IT_TELLS
    assert len(measure.KEY) <= 32  # MonthlyFigure.measure


# The person at the centre ----------------------------------------------------------


@pytest.fixture
def with_the_person(team, other_team):
    network = NetworkFactory(team=team, opened_on=OPENED)
    kinds = ["in_person"] * 6 + ["online"] * 4 + ["phone"] * 2 + ["absent"] * 10
    for day, attendance in enumerate(kinds, start=1):  # January: 12 there, 10 not
        NetworkMeetingFactory(network=network, starts_at=at(1, day), person_attendance=attendance)
    for day in (1, 2, 3):  # February: 3 there
        NetworkMeetingFactory(network=network, starts_at=at(2, day), person_attendance="online")
    # Logged before it was asked: says nothing, left out.
    NetworkMeetingFactory(network=network, starts_at=at(2, 20), person_attendance=None)
    elsewhere = NetworkFactory(team=other_team, opened_on=OPENED)
    NetworkMeetingFactory(network=elsewhere, starts_at=at(1, 3), person_attendance="absent")


def test_the_persons_attendance_is_counted_by_kind_and_month(
    team, with_the_person, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = person_present.rows([team.pk], PERIOD)

    assert sorted(rows) == [
        (team.pk, JAN, "person_present", "absent", 10),
        (team.pk, JAN, "person_present", "in_person", 6),
        (team.pk, JAN, "person_present", "online", 4),
        (team.pk, JAN, "person_present", "phone", 2),
        (team.pk, FEB, "person_present", "online", 3),
    ]


def test_the_share_with_the_person_there_is_of_published_parts(team, with_the_person):
    section = person_present.section(context(person_present.rows(None, PERIOD), [team.pk]))

    assert section.slug == "person-present"
    # January: 12 there (published 10) and 10 not (10): 20 recorded, 50%.
    # February: 3 there, hidden. The period adds them up: ranges, no share.
    assert table(section) == [
        ("Jan 2025", ["20", "10", "50%"]),
        ("Feb 2025", ["fewer than 8", "fewer than 8", "withheld"]),
        ("Mar 2025", ["0", "0", "none"]),
    ]
    assert texts(section) == {
        "Meetings with the person's attendance recorded": "17 to 31",
        "With the person at the centre there": "9 to 19",
        "Share with the person there": "withheld",
    }
