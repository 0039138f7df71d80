"""A pseudonymised export for service evaluation: one row per network meeting.

Columns: team code, month, peer present, first meeting, practitioner mix,
reflecting conversation held. No free text, no names, no references, no dates
finer than the month. Team codes are keyed hashes (HMAC with SECRET_KEY), stable
between exports, meaningless without the key. Small numbers are suppressed
with the dashboard's rule: a team-month with fewer than 8 meetings is left out
entirely, so no row can single out one meeting. Rows are streamed from the
database, so memory stays flat however many meetings there are.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth

from dashboards.suppression import THRESHOLD
from meetings.models import NetworkMeeting, PractitionerAttendance
from teams.models import Role

HEADER = [
    "team_code",
    "month",
    "peer_present",
    "first_meeting",
    "practitioner_mix",
    "reflecting_conversation",
]


def team_code(team_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"team:{team_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def _meetings(team_ids: Iterable[int]):
    attended_as = {
        role: Exists(PractitionerAttendance.objects.filter(meeting=OuterRef("pk"), role=role))
        for role in (Role.PEER_PRACTITIONER, Role.PRACTITIONER)
    }
    return (
        NetworkMeeting.objects.filter(network__team_id__in=list(team_ids))
        .with_is_first()
        .annotate(
            month=TruncMonth("starts_at"),
            has_peer=attended_as[Role.PEER_PRACTITIONER],
            has_professional=attended_as[Role.PRACTITIONER],
        )
    )


def _large_enough_cells(team_ids: Iterable[int]) -> set[tuple[int, object]]:
    """The (team, month) cells with at least THRESHOLD meetings."""
    cells = (
        NetworkMeeting.objects.filter(network__team_id__in=list(team_ids))
        .annotate(month=TruncMonth("starts_at"))
        .values("network__team_id", "month")
        .annotate(meetings=Count("pk"))
        .filter(meetings__gte=THRESHOLD)
    )
    return {(cell["network__team_id"], cell["month"]) for cell in cells}


def _mix(has_peer: bool, has_professional: bool) -> str:
    if has_peer and has_professional:
        return "peer with professional"
    if has_peer:
        return "peer only"
    if has_professional:
        return "professional only"
    return "none recorded"


def rows(team_ids: Iterable[int]) -> Iterator[list[str]]:
    team_ids = list(team_ids)
    allowed = _large_enough_cells(team_ids)
    codes = {team_id: team_code(team_id) for team_id in team_ids}
    yield HEADER
    meetings = (
        _meetings(team_ids)
        .order_by("network__team_id", "starts_at")
        .values_list(
            "network__team_id",
            "month",
            "has_peer",
            "is_first_meeting",
            "has_professional",
            "reflecting_conversation",
        )
        .iterator(chunk_size=2000)
    )
    for team_id, month, has_peer, is_first, has_professional, reflecting in meetings:
        if (team_id, month) not in allowed:
            continue
        yield [
            codes[team_id],
            f"{month:%Y-%m}",
            "yes" if has_peer else "no",
            "yes" if is_first else "no",
            _mix(has_peer, has_professional),
            "yes" if reflecting else "no",
        ]
