"""Hand-made data for the dashboard's measures, in a fixed period (Jan to Mar 2025)."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from dashboards.queries import Period
from teams.models import Role
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    UserFactory,
)

PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))


def at(month: int, day: int, year: int = 2025) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def csv_table(response) -> list[dict[str, str]]:
    """The dashboard export's rows, by its header."""
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def published(rows, measure: str, month: str, figure: str) -> dict[str, str]:
    """The one export row for (measure slug, month, figure), as its filled cells
    of count, percent, hours, days, the ends of a range and status:
    {"count": "10", "status": "shown"}."""
    [row] = [r for r in rows if (r["measure"], r["month"], r["figure"]) == (measure, month, figure)]
    keys = ("count", "percent", "hours", "days", "count_low", "count_high", "status")
    return {key: row[key] for key in keys if row[key]}


def meet(network, when, peers=(), professionals=(), minutes=90):
    meeting = NetworkMeetingFactory(network=network, starts_at=when, duration_minutes=minutes)
    for person in peers:
        PractitionerAttendanceFactory(
            meeting=meeting, practitioner=person, role=Role.PEER_PRACTITIONER
        )
    for person in professionals:
        PractitionerAttendanceFactory(meeting=meeting, practitioner=person, role=Role.PRACTITIONER)
    return meeting


@pytest.fixture
def admin(db):
    return UserFactory(email="admin@example.org", is_staff=True)


@pytest.fixture
def second_peer(team):
    user = UserFactory(email="peer2@example.org")
    MembershipFactory(user=user, team=team, role=Role.PEER_PRACTITIONER)
    return user


@pytest.fixture
def meetings(team, other_team, author, colleague, second_peer, outsider):
    """Eight meetings in the period (and one before it, one in another team).

    old:  Dec 2024 peer (before the period); 10 Jan professional only
    a:    5 Jan peer+pro (first); 5 Feb peer+pro; 5 Mar pro only; the author at 2 of 3
    b:    6 Jan author+pro (first); 6 Feb second peer only; 6 Mar nobody; best peer 1 of 3
    c:    7 Feb peer only (first)
    """
    opened = date(2024, 1, 1)
    old = NetworkFactory(team=team, reference="Old", opened_on=opened)
    a = NetworkFactory(team=team, reference="A", opened_on=opened)
    b = NetworkFactory(team=team, reference="B", opened_on=opened)
    c = NetworkFactory(team=team, reference="C", opened_on=opened)
    meet(old, at(12, 1, 2024), peers=[author])
    meet(old, at(1, 10), professionals=[colleague])
    meet(a, at(1, 5), peers=[author], professionals=[colleague])
    meet(a, at(2, 5), peers=[author], professionals=[colleague])
    meet(a, at(3, 5), professionals=[colleague])
    meet(b, at(1, 6), peers=[author], professionals=[colleague])
    meet(b, at(2, 6), peers=[second_peer])
    meet(b, at(3, 6))
    meet(c, at(2, 7), peers=[second_peer])
    elsewhere = NetworkFactory(team=other_team, reference="Elsewhere", opened_on=opened)
    meet(elsewhere, at(1, 8), peers=[outsider])
