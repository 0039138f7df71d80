"""Intervision on the dashboard: sessions per group and month, and the share of
agreed summaries for supervision that were reviewed. Counts only, under the
small-numbers rule, for the teams the lead leads."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards import dashboard, rollup
from dashboards.measures import intervision_sessions, intervision_summaries
from dashboards.queries import Period
from intervision.models import IntervisionSession, SupervisionSummary
from teams.models import IntervisionGroup, Role
from tests.dashboards.conftest import PERIOD, at, csv_table, published
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:dashboard")
EXPORT = reverse("dashboards:export")
FIRST_QUARTER = {"period": "custom", "start": "2025-01", "end": "2025-03"}
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
NOTES_MARKER = "MARKER-iv-never-on-a-dashboard"


def group(team, name, facilitator):
    return IntervisionGroup.objects.create(team=team, name=name, facilitator=facilitator)


def hold(group, *days, notes=""):
    """A session of the group on each date."""
    return [
        IntervisionSession.objects.create(group=group, held_on=day, notes=notes) for day in days
    ]


def in_month(month, count, first_day=1):
    return [month.replace(day=first_day + index) for index in range(count)]


def summaries(group, agreed_at, count, reviewed=0, text=""):
    """`count` summaries agreed at `agreed_at`, the first `reviewed` of them reviewed."""
    for index in range(count):
        session = IntervisionSession.objects.create(group=group, held_on=date(2024, 12, 1))
        SupervisionSummary.objects.create(
            session=session,
            themes=text,
            agreed_at=agreed_at,
            agreed_on=agreed_at.date(),
            reviewed_at=agreed_at + timedelta(days=2) if index < reviewed else None,
        )


def by_month(rows, measure):
    totals = Counter()
    for _team, month, row_measure, category, value in rows:
        if row_measure == measure:
            totals[(month, category)] += value
    return totals


def section(board, slug):
    return next(s for s in board.sections if s.slug == slug)


def table(board, slug):
    """{row label: [cell text, ...]} of a section's table."""
    return {label: [f.text for f in cells] for label, cells in section(board, slug).table.rows}


def figures(board, slug):
    return {label: figure.text for label, figure in section(board, slug).figures}


def csv_of(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def groups(team, other_team, author, colleague, outsider):
    """Willow and Hazel in the team, Elsewhere in the other team.

    Willow: 3 in January, 8 in February. Hazel: 1 in February, 9 in March.
    Elsewhere: 9 in January. Every group has a session before the period too.
    """
    willow = group(team, "Willow", author)
    hazel = group(team, "Hazel", colleague)
    elsewhere = group(other_team, "Elsewhere", outsider)
    hold(willow, date(2024, 12, 20), *in_month(JAN, 3), *in_month(FEB, 8))
    hold(hazel, date(2024, 12, 21), *in_month(FEB, 1), *in_month(MAR, 9))
    hold(elsewhere, date(2024, 12, 22), *in_month(JAN, 9))
    return willow, hazel, elsewhere


def test_sessions_are_counted_by_group_and_month(team, groups):
    willow, hazel, _elsewhere = groups

    rows = intervision_sessions.rows([team.pk], PERIOD, now=at(6, 1))

    assert by_month(rows, intervision_sessions.KEY) == {
        (JAN, str(willow.pk)): 3,
        (FEB, str(willow.pk)): 8,
        (FEB, str(hazel.pk)): 1,
        (MAR, str(hazel.pk)): 9,
    }


def test_the_board_shows_sessions_per_group_and_month_suppressed(team, groups):
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert table(board, "intervision-sessions") == {
        # Jan 2025, Feb 2025, Mar 2025, whole period; groups in name order.
        # Each month is rounded to 5 (8 and 9 show as 10); the whole period adds
        # up the published months, so with a hidden month in it, it is a range.
        "Hazel": ["0", "fewer than 8", "10", "9 to 19"],
        "Willow": ["fewer than 8", "10", "0", "9 to 19"],
    }
    assert section(board, "intervision-sessions").table.columns == [
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
        "Whole period",
    ]
    assert figures(board, "intervision-sessions") == {"Intervision sessions held": "18 to 38"}


def test_another_teams_sessions_and_groups_are_not_counted_or_named(login, team, team_lead, groups):
    _willow, _hazel, elsewhere = groups
    rows = intervision_sessions.rows([team.pk], PERIOD, now=at(6, 1))
    assert str(elsewhere.pk) not in {category for *_, category, _value in rows}

    rollup.refresh()
    client = login(team_lead)
    page = client.get(PAGE, FIRST_QUARTER).content.decode()
    export = csv_of(client.get(EXPORT, FIRST_QUARTER))

    for body in (page, export):
        assert "Willow" in body
        assert "Hazel" in body
        assert "Elsewhere" not in body


def test_a_lead_of_two_teams_sees_each_group_with_its_team(
    login, team, other_team, team_lead, groups
):
    MembershipFactory(user=team_lead, team=other_team, role=Role.TEAM_LEAD)
    rollup.refresh()

    board = dashboard.build([team.pk, other_team.pk], PERIOD)

    assert table(board, "intervision-sessions") == {
        "Elsewhere (Hillside)": ["10", "0", "0", "10"],
        "Hazel (Riverside)": ["0", "fewer than 8", "10", "9 to 19"],
        "Willow (Riverside)": ["fewer than 8", "10", "0", "9 to 19"],
    }


def test_future_sessions_are_not_counted(team, author):
    willow = group(team, "Willow", author)
    hold(willow, *in_month(FEB, 8))  # 1 to 8 February
    hold(willow, *in_month(FEB, 10, first_day=11))  # 11 to 20 February: still ahead
    hold(willow, date(2025, 3, 3))  # next month
    today = at(2, 10)

    rows = intervision_sessions.rows([team.pk], PERIOD, now=today)

    assert by_month(rows, intervision_sessions.KEY) == {(FEB, str(willow.pk)): 8}
    rollup.refresh(today)
    board = dashboard.build([team.pk], PERIOD)
    assert table(board, "intervision-sessions") == {"Willow": ["0", "10", "0", "10"]}


def test_future_sessions_are_not_on_the_page_or_in_the_csv(login, team, team_lead, author):
    willow = group(team, "Willow", author)
    hold(willow, *in_month(FEB, 8))
    hold(willow, *in_month(FEB, 10, first_day=11))
    with time_machine.travel(datetime(2025, 2, 10, 12, 0, tzinfo=UTC), tick=False):
        # As beat would (with a broker the page does not refresh the rollup itself).
        rollup.refresh()
        client = login(team_lead)
        page = client.get(PAGE, {"period": "3"}).content.decode()
        export = csv_table(client.get(EXPORT, {"period": "3"}))

    results = page.split('id="intervision-sessions"')[1].split("</section>")[0]
    willow_row = results.split(">Willow</th>")[1].split("</tr>")[0]
    # Dec 2024, Jan 2025, Feb 2025 and the whole period.
    assert willow_row.count(">0</td>") == 2
    assert willow_row.count(">10</td>") == 2
    assert ">20</td>" not in willow_row  # 18 sessions would show as 20
    shown_10 = {"count": "10", "status": "shown"}
    assert published(export, "intervision-sessions", "2025-02", "Willow") == shown_10
    assert published(export, "intervision-sessions", "whole period", "Willow") == shown_10
    held = published(export, "intervision-sessions", "whole period", "Intervision sessions held")
    assert held == shown_10


def test_small_session_counts_are_suppressed_on_the_page_and_in_the_csv(
    login, team, team_lead, author
):
    willow = group(team, "Willow", author)
    hold(willow, *in_month(JAN, 7), *in_month(FEB, 8))
    rollup.refresh()
    client = login(team_lead)

    page = client.get(PAGE, FIRST_QUARTER).content.decode()
    export = csv_table(client.get(EXPORT, FIRST_QUARTER))

    results = page.split('id="intervision-sessions"')[1].split("</section>")[0]
    assert ">Willow</th>" in results
    assert ">fewer than 8</td>" in results
    assert ">7</td>" not in results
    assert ">10</td>" in results
    willow = {
        month: published(export, "intervision-sessions", month, "Willow")
        for month in ("2025-01", "2025-02", "2025-03", "whole period")
    }
    assert willow == {
        "2025-01": {"status": "fewer than 8"},  # no number at all
        "2025-02": {"count": "10", "status": "shown"},
        "2025-03": {"count": "0", "status": "shown"},
        # Added up from the published months: a hidden month makes it a range.
        # 1 to 7, and 8 to 12 (shown as 10): between 9 and 19.
        "whole period": {"count_low": "9", "count_high": "19", "status": "range"},
    }


def test_summaries_reviewed_by_month_of_agreement(team, other_team, author, outsider):
    willow = group(team, "Willow", author)
    summaries(willow, at(1, 15), 5, reviewed=5)
    summaries(willow, at(2, 15), 9, reviewed=6)
    summaries(willow, at(3, 15), 10, reviewed=9)
    # Not agreed: not counted, reviewed or not.
    session = IntervisionSession.objects.create(group=willow, held_on=date(2025, 3, 1))
    SupervisionSummary.objects.create(session=session)
    # Another team's agreed summaries are not counted.
    summaries(group(other_team, "Elsewhere", outsider), at(1, 15), 9, reviewed=9)

    rows = intervision_summaries.rows([team.pk], PERIOD)

    assert by_month(rows, intervision_summaries.KEY) == {
        (JAN, "agreed"): 5,
        (JAN, "reviewed"): 5,
        (FEB, "agreed"): 9,
        (FEB, "reviewed"): 6,
        (MAR, "agreed"): 10,
        (MAR, "reviewed"): 9,
    }


def test_the_rate_is_withheld_when_its_base_is_suppressed(login, team, team_lead, author):
    willow = group(team, "Willow", author)
    summaries(willow, at(1, 15), 5, reviewed=5)  # base of 5: withheld
    summaries(willow, at(2, 15), 9, reviewed=6)  # 6 reviewed is suppressed: withheld
    summaries(willow, at(3, 15), 10, reviewed=9)  # shown
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert table(board, "intervision-review") == {
        "Jan 2025": ["fewer than 8", "fewer than 8", "withheld"],
        "Feb 2025": ["10", "fewer than 8", "withheld"],
        # 9 of 10 reviewed, published as 10 of 10: the share is of published counts.
        "Mar 2025": ["10", "10", "100%"],
    }
    # Added up from the published months; the share of two ranges is withheld.
    assert figures(board, "intervision-review") == {
        "Summaries agreed": "17 to 31",
        "Marked reviewed": "10 to 26",
        "Share marked reviewed": "withheld",
    }
    # The chart draws only the month it may show.
    chart = section(board, "intervision-review").line_chart
    assert [point.figure.value for point in chart.points] == [None, None, 100]

    client = login(team_lead)
    export = csv_table(client.get(EXPORT, FIRST_QUARTER))
    slug = "intervision-review"
    assert published(export, slug, "2025-01", "Summaries agreed") == {"status": "fewer than 8"}
    assert published(export, slug, "2025-01", "Share marked reviewed") == {"status": "withheld"}
    assert published(export, slug, "2025-02", "Share marked reviewed") == {"status": "withheld"}
    assert published(export, slug, "2025-03", "Share marked reviewed") == {
        "percent": "100",
        "status": "shown",
    }
    page = client.get(PAGE, FIRST_QUARTER).content.decode()
    results = page.split('id="intervision-review"')[1].split("</section>")[0]
    assert results.count(">withheld</td>") == 2
    assert ">100%</td>" in results


def test_a_month_with_no_agreed_summaries_shows_none_not_a_rate(team, author):
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert figures(board, "intervision-review") == {
        "Summaries agreed": "0",
        "Marked reviewed": "0",
        "Share marked reviewed": "none",
    }
    # No intervision groups: no table of groups, and nothing to count.
    assert section(board, "intervision-sessions").table is None
    assert figures(board, "intervision-sessions") == {"Intervision sessions held": "0"}


def test_each_measure_says_what_it_counts_and_that_it_is_never_content(login, team_lead):
    page = login(team_lead).get(PAGE).content.decode()

    assert "Intervision sessions by group" in page
    assert "counts only that a session took place: never who attended" in page
    assert "Intervision summaries reviewed in supervision" in page
    assert "counts only that a summary was agreed and reviewed: never what it says" in page


def test_no_intervision_text_reaches_the_page_or_the_csv(login, team, team_lead, author):
    willow = group(team, "Willow", author)
    hold(willow, *in_month(FEB, 8), notes=NOTES_MARKER)
    summaries(willow, at(2, 15), 8, reviewed=8, text=NOTES_MARKER)
    rollup.refresh()
    client = login(team_lead)

    page = client.get(PAGE, FIRST_QUARTER).content.decode()
    export = csv_of(client.get(EXPORT, FIRST_QUARTER))

    for body in (page, export):
        assert NOTES_MARKER not in body
    results = page.split('id="results"')[1]
    assert "/intervision/" not in results


def test_a_group_name_that_looks_like_a_formula_is_text_in_the_csv(login, team, team_lead, author):
    hold(group(team, "=HYPERLINK(1)", author), date(2025, 1, 6))
    rollup.refresh()

    export = csv_table(login(team_lead).get(EXPORT, FIRST_QUARTER))

    cell = published(export, "intervision-sessions", "2025-01", "'=HYPERLINK(1)")
    assert cell == {"status": "fewer than 8"}


def _many(team, other_team, author, outsider, groups_count, per_month):
    """`groups_count` groups in each team, each with `per_month` sessions and
    agreed summaries in each month of the last three."""
    today = timezone.localdate()
    months = [today.replace(day=1)]
    for _ in range(2):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    for index in range(groups_count):
        for owner, facilitator in ((team, author), (other_team, outsider)):
            g = group(owner, f"Group {index}", facilitator)
            for month in months:
                hold(g, *in_month(month, per_month))
                agreed = datetime.combine(month, datetime.min.time(), tzinfo=UTC) + timedelta(
                    hours=12
                )
                summaries(g, agreed, per_month, reviewed=per_month // 2)


@pytest.mark.parametrize(("groups_count", "per_month"), [(2, 1), (12, 9)])
def test_the_measures_run_the_same_queries_at_any_size(
    login,
    team,
    other_team,
    team_lead,
    author,
    outsider,
    groups_count,
    per_month,
    django_assert_num_queries,
):
    _many(team, other_team, author, outsider, groups_count, per_month)
    period = Period(date(2025, 1, 1), timezone.localdate())
    with django_assert_num_queries(1):
        intervision_sessions.rows([team.pk], period, now=datetime.now(tz=UTC))
    with django_assert_num_queries(1):
        intervision_summaries.rows([team.pk], period)
    rollup.refresh()
    client = login(team_lead)

    # session, user, my teams, the rollup, the principles, the intervision
    # groups, the rollup's freshness: the same with 2 or 12 groups.
    with django_assert_num_queries(7):
        response = client.get(PAGE, {"period": "3"})
    assert response.status_code == 200
    assert "Group 1</th>" in response.content.decode()
    # The export: session, user, my teams, the rollup's freshness, the rollup,
    # the principles, the intervision groups.
    with django_assert_num_queries(7):
        export = csv_table(client.get(EXPORT, {"period": "3"}))
    assert f"Group {groups_count - 1}" in {row["figure"] for row in export}
