"""Continuity of the core practitioners, and supervision coverage: hand-made data
with known answers (rows, suppression, team scoping, the section's figures)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from dashboards import dashboard, rollup
from dashboards.measures import continuity, supervision
from dashboards.queries import Period
from supervision.models import Response, Share, SupervisionSession
from teams.models import Role, SupervisionLink
from tests.dashboards.conftest import PERIOD, at, meet
from tests.factories import MembershipFactory, NetworkFactory, ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
OPENED = date(2024, 1, 1)


def by_month(rows, measure):
    """{(month, category): value} of one measure's rows (of one team)."""
    return {(month, category): value for _t, month, key, category, value in rows if key == measure}


def section_of(board, slug):
    return next(s for s in board.sections if s.slug == slug)


def figures(board, slug):
    return {label: figure.text for label, figure in section_of(board, slug).figures}


def table_row(board, slug, label):
    section = section_of(board, slug)
    [cells] = [cells for row_label, cells in section.table.rows if row_label == label]
    return dict(zip(section.table.columns, (cell.text for cell in cells), strict=True))


def member(team, role, email):
    user = UserFactory(email=email)
    MembershipFactory(user=user, team=team, role=role)
    return user


# Continuity ------------------------------------------------------------------------


def test_a_network_keeps_its_core_only_with_a_core_peer_and_a_core_professional(
    team, author, colleague
):
    network = NetworkFactory(team=team, opened_on=OPENED)
    meet(network, at(1, 5), peers=[author])
    meet(network, at(1, 12), peers=[author])
    meet(network, at(1, 19), peers=[author], professionals=[colleague])

    def counted():
        return by_month(continuity.rows([team.pk], PERIOD), continuity.KEY)

    # The peer at 3 of 3, the professional at 1 of 3: only one role continued.
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 0}
    # A fourth meeting with both: the professional at 2 of 4, still under two thirds.
    meet(network, at(1, 26), peers=[author], professionals=[colleague])
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 0}
    # A fifth and sixth with both: the professional at 4 of 6, two thirds.
    meet(network, at(1, 27), peers=[author], professionals=[colleague])
    meet(network, at(1, 28), peers=[author], professionals=[colleague])
    assert counted() == {(JAN, "eligible"): 1, (JAN, "kept"): 1}


def test_a_practitioner_without_a_peer_does_not_keep_the_core(team, colleague):
    network = NetworkFactory(team=team, opened_on=OPENED)
    for day in (3, 10, 17):
        meet(network, at(2, day), professionals=[colleague])
    assert by_month(continuity.rows([team.pk], PERIOD), continuity.KEY) == {
        (FEB, "eligible"): 1,
        (FEB, "kept"): 0,
    }


def test_a_network_counts_once_in_the_month_of_its_latest_meeting(team, author, colleague):
    network = NetworkFactory(team=team, opened_on=OPENED)
    for month in (1, 2, 3):
        meet(network, at(month, 5), peers=[author], professionals=[colleague])
    # Two meetings before 2025 count too: the network is judged on all its meetings.
    meet(network, at(11, 5, 2024), professionals=[colleague])
    meet(network, at(12, 5, 2024), professionals=[colleague])

    # The author at 3 of 5 meetings: under two thirds. Counted in March only.
    assert continuity.rows(None, None) == [
        (team.pk, MAR, continuity.KEY, "eligible", 1),
        (team.pk, MAR, continuity.KEY, "kept", 0),
    ]
    # Up to the end of February: 4 meetings, the author at 2; counted in February.
    january_february = Period(date(2025, 1, 1), date(2025, 2, 28))
    assert by_month(continuity.rows([team.pk], january_february), continuity.KEY) == {
        (FEB, "eligible"): 1,
        (FEB, "kept"): 0,
    }


def test_continuity_is_scoped_to_the_team(team, other_team, meetings, outsider):
    elsewhere = NetworkFactory(team=other_team, reference="Far", opened_on=OPENED)
    for day in (1, 2, 3):
        meet(elsewhere, at(1, day), peers=[outsider])
    rows = continuity.rows([other_team.pk], PERIOD)
    assert by_month(rows, continuity.KEY) == {(JAN, "eligible"): 1, (JAN, "kept"): 0}
    assert {team_id for team_id, *_ in continuity.rows([team.pk], PERIOD)} == {team.pk}
    assert continuity.rows([], PERIOD) == []


def test_continuity_figures_are_published_per_cell(team, other_team, author, colleague, outsider):
    # 13 networks last met in February, 9 of them kept their core.
    for index in range(13):
        network = NetworkFactory(team=team, reference=f"N{index}", opened_on=OPENED)
        for day in (1, 8, 15):
            professionals = [colleague] if index < 9 else []
            meet(network, at(2, day), peers=[author], professionals=professionals)
    # Another team's networks are not on this team's page.
    far = NetworkFactory(team=other_team, reference="Far", opened_on=OPENED)
    for day in (1, 2, 3):
        meet(far, at(2, day), peers=[outsider])
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert figures(board, "continuity") == {
        "Networks with 3 or more meetings": "15",  # 13, rounded to 5
        "Kept their core: a peer and a professional": "10",  # 9
        "Share that kept their core": "67%",  # of the published counts
    }
    assert table_row(board, "continuity", "Feb 2025") == {
        "Networks with 3 or more meetings": "15",
        "Kept their core: a peer and a professional": "10",
        "Share that kept their core": "67%",
    }
    assert table_row(board, "continuity", "Jan 2025")["Share that kept their core"] == "none"
    # The other team: 1 network, not kept: suppressed, and its share withheld.
    assert figures(dashboard.build([other_team.pk], PERIOD), "continuity") == {
        "Networks with 3 or more meetings": "fewer than 8",
        "Kept their core: a peer and a professional": "0",
        "Share that kept their core": "withheld",
    }


def test_small_continuity_counts_are_suppressed(team, meetings):
    rollup.refresh()
    board = dashboard.build([team.pk], PERIOD)
    assert figures(board, "continuity") == {
        "Networks with 3 or more meetings": "fewer than 8",
        "Kept their core: a peer and a professional": "fewer than 8",
        "Share that kept their core": "withheld",
    }


# Supervision -----------------------------------------------------------------------


def session(supervisor, supervisee, held_on, minutes):
    return SupervisionSession.objects.create(
        supervisor=supervisor, supervisee=supervisee, held_on=held_on, duration=minutes
    )


def test_supervisees_against_the_monthly_target(
    team, other_team, author, colleague, second_peer, supervisor, outsider
):
    team.monthly_supervision_minutes = 90
    team.save()
    link = SupervisionLink.objects.create
    link(supervisor=supervisor, supervisee=author, since=date(2024, 12, 1))
    link(
        supervisor=supervisor,
        supervisee=colleague,
        since=date(2025, 2, 10),
        until=date(2025, 2, 20),
    )
    link(
        supervisor=supervisor,
        supervisee=second_peer,
        since=date(2024, 6, 1),
        until=date(2024, 12, 31),
    )
    # A cover supervisor in January: the author still counts once.
    link(supervisor=supervisor, supervisee=author, since=date(2025, 1, 10), until=date(2025, 1, 20))
    session(supervisor, author, date(2025, 1, 7), 60)
    session(supervisor, author, date(2025, 1, 21), 30)  # 90 in January: met
    session(supervisor, author, date(2025, 2, 7), 60)  # 60 in February: not met
    session(supervisor, colleague, date(2025, 2, 12), 90)  # met
    session(supervisor, second_peer, date(2025, 1, 7), 60)  # no current link: not counted
    session(supervisor, author, date(2025, 3, 7), None)  # no duration: no time
    link(supervisor=supervisor, supervisee=outsider, since=date(2025, 1, 1))
    session(supervisor, outsider, date(2025, 1, 7), 60)  # another team (target 60)

    rows = supervision.time_rows([team.pk], PERIOD, now=at(6, 1))

    assert by_month(rows, supervision.SUPERVISEES) == {
        (JAN, "all"): 1,
        (JAN, "met"): 1,
        (FEB, "all"): 2,
        (FEB, "met"): 1,
        (MAR, "all"): 1,
        (MAR, "met"): 0,
    }
    assert by_month(rows, supervision.MINUTES) == {
        (JAN, "all"): 90,
        (FEB, "all"): 150,
        (MAR, "all"): 0,
    }
    assert by_month(rows, supervision.RECORDS) == {
        (JAN, "all"): 2,
        (FEB, "all"): 2,
        (MAR, "all"): 0,
    }
    # The other team, against its own target.
    other = supervision.time_rows([other_team.pk], PERIOD, now=at(6, 1))
    assert by_month(other, supervision.SUPERVISEES)[(JAN, "met")] == 1
    assert {team_id for team_id, *_ in other} == {other_team.pk}
    # A month still running is not counted yet.
    assert {m for _t, m, *_ in supervision.time_rows([team.pk], PERIOD, now=at(3, 15))} == {
        JAN,
        FEB,
    }
    # Every team, any time (the rollup's case): from the first link's month.
    everything = supervision.time_rows(None, None, now=at(3, 15))
    assert min(month for _t, month, *_ in everything) == date(2024, 6, 1)
    assert (
        by_month([r for r in everything if r[0] == team.pk], supervision.SUPERVISEES)[(JAN, "all")]
        == 1
    )


def test_days_to_review_by_month_of_sharing(team, author, supervisor):
    shared_at = at(1, 10)
    for reviewed_after in (3, 20, None):
        Share.objects.create(
            reflection=ReflectionFactory(author=author, written_at=shared_at),
            supervisor=supervisor,
            shared_at=shared_at,
            reviewed_at=shared_at + timedelta(days=reviewed_after, hours=2)
            if reviewed_after
            else None,
        )
    rows = supervision.rows([team.pk], PERIOD, now=at(6, 1))
    assert by_month(rows, supervision.REVIEW_DAYS) == {(JAN, "3"): 1, (JAN, "20"): 1}


def test_supervision_figures_are_published_per_cell(team, other_team, supervisor):
    # 13 supervisees in January, 9 of them with an hour (the default target of 60).
    people = [member(team, Role.PRACTITIONER, f"p{n}@example.org") for n in range(13)]
    for index, person in enumerate(people):
        SupervisionLink.objects.create(
            supervisor=supervisor, supervisee=person, since=JAN, until=date(2025, 1, 31)
        )
        session(supervisor, person, date(2025, 1, 15), 60 if index < 9 else 30)
    # 9 notes reviewed 1 to 9 days after sharing; a response to none of them.
    for days in range(1, 10):
        shared_at = at(2, 3)
        Share.objects.create(
            reflection=ReflectionFactory(author=people[days], written_at=shared_at),
            supervisor=supervisor,
            shared_at=shared_at,
            reviewed_at=shared_at + timedelta(days=days),
        )
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert figures(board, "supervision") == {
        "Notes shared with a supervisor": "10",  # 9
        "Share marked reviewed within 14 days of sharing": "100%",
        "Median days to the first response": "none",
        "Median days to review": "5 days",  # the middle of 1 to 9
        "Supervisees, counted in each month with a supervisor": "15",  # 13
        "Of them, at or above the team's monthly target": "10",  # 9
        "Share at or above the monthly target": "67%",
        "Hours of supervision received": "10 hours",  # 11 hours, rounded to 5
    }
    assert table_row(board, "supervision", "Jan 2025") == {
        "Notes shared with a supervisor": "0",
        "Share marked reviewed within 14 days of sharing": "none",
        "Supervisees, counted in each month with a supervisor": "15",
        "Of them, at or above the team's monthly target": "10",
        "Share at or above the monthly target": "67%",
        "Hours of supervision received": "10 hours",
    }
    # Nothing of this team on another team's page.
    other = figures(dashboard.build([other_team.pk], PERIOD), "supervision")
    assert other["Supervisees, counted in each month with a supervisor"] == "0"
    assert other["Hours of supervision received"] == "0 hours"
    assert other["Median days to review"] == "none"


def test_small_supervision_counts_are_suppressed_and_time_withheld(
    team, author, colleague, supervisor
):
    for person in (author, colleague):
        SupervisionLink.objects.create(supervisor=supervisor, supervisee=person, since=JAN)
        session(supervisor, person, date(2025, 2, 4), 120)
    shared_at = at(1, 10)
    share = Share.objects.create(
        reflection=ReflectionFactory(author=author, written_at=shared_at),
        supervisor=supervisor,
        shared_at=shared_at,
        reviewed_at=shared_at + timedelta(days=2),
    )
    Response.objects.create(share=share, author=supervisor, text="x", created_at=shared_at)
    rollup.refresh()

    board = dashboard.build([team.pk], PERIOD)

    assert figures(board, "supervision") == {
        "Notes shared with a supervisor": "fewer than 8",
        "Share marked reviewed within 14 days of sharing": "withheld",
        "Median days to the first response": "withheld",
        "Median days to review": "withheld",
        # 2 supervisees in each of 3 months: three hidden cells, a range.
        "Supervisees, counted in each month with a supervisor": "3 to 21",
        "Of them, at or above the team's monthly target": "fewer than 8",
        "Share at or above the monthly target": "withheld",
        "Hours of supervision received": "withheld",  # 2 sessions
    }
    assert table_row(board, "supervision", "Jan 2025")[
        "Supervisees, counted in each month with a supervisor"
    ] == ("fewer than 8")
    assert (
        table_row(board, "supervision", "Jan 2025")[
            "Of them, at or above the team's monthly target"
        ]
        == "0"
    )


def test_the_page_names_no_supervisee(login, team, team_lead, author, supervisor):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author, since=JAN)
    session(supervisor, author, date(2025, 1, 4), 60)
    rollup.refresh()
    page = login(team_lead).get(reverse("dashboards:dashboard"), {"period": "12"}).content.decode()
    assert "Hours of supervision received" in page
    assert "Median days to review" in page
    assert "author@example.org" not in page
    assert "Alex" not in page
