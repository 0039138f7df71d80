"""Meetings with a peer practitioner present.

Its query counts every network meeting by who was there and whether it was the
network's first; first_meetings.py and co_working.py read the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Exists, F, OuterRef
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    in_period,
    in_teams,
    line_chart,
    month_of,
)
from dashboards.suppression import Figure
from meetings.models import NetworkMeeting, PractitionerAttendance
from teams.models import Role

KEY = "meetings"
SLUG = "peer-present"
TITLE = "Meetings with a peer practitioner present"
DEFINITION = (
    "Network meetings in the period where at least one person attended in the "
    "peer practitioner role, as a count and as a share of all meetings."
)
WHAT_IT_TELLS = "Whether peers are in the room where the work happens, month by month."


def category(peer: bool, professional: bool, first: bool) -> str:
    return f"peer{int(peer)}-prof{int(professional)}-first{int(first)}"


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Meetings by team, month and who was there, in one query.

    Grouping by the three flags (a peer present, a professional present, the
    network's first meeting) gives at most 8 rows a month, and each flag is
    worked out once per meeting.
    """
    attended = PractitionerAttendance.objects.filter(meeting=OuterRef("pk"))
    meetings = (
        NetworkMeeting.objects.filter(
            in_teams("network__team_id", team_ids), in_period("starts_at", period)
        )
        .with_is_first()
        .annotate(
            team=F("network__team_id"),
            month=TruncMonth("starts_at"),
            has_peer=Exists(attended.filter(role=Role.PEER_PRACTITIONER)),
            has_professional=Exists(attended.filter(role=Role.PRACTITIONER)),
        )
        .values("team", "month", "has_peer", "has_professional", "is_first_meeting")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (
            row["team"],
            month_of(row["month"]),
            KEY,
            category(row["has_peer"], row["has_professional"], row["is_first_meeting"]),
            row["n"],
        )
        for row in meetings
    ]


def meetings(
    ctx: Context,
    only: Sequence[date] | None = None,
    *,
    peer: bool | None = None,
    prof: bool | None = None,
    first: bool | None = None,
) -> Figure:
    """Meetings in the months `only` (default: the period) with a peer present
    or not, a professional present or not (None: either), or first meetings
    (first=True) with a peer or not, as published.

    These figures overlap within a month (all meetings, with a peer, each kind
    of co-working, first meetings), and rounding each on its own would let a
    hidden one be worked out from the others. So each team's month publishes
    only the parts of two splits, and every figure is added up from them
    (Context.count_parts):
    - who was there: peer with professional, professional only, peer only,
      nobody recorded (all meetings, with a peer, co-working);
    - first meetings with a peer, and without (first meetings).
    """
    if first:
        if prof is not None:
            raise ValueError("First meetings are split by peer only.")
        peers = (True, False) if peer is None else (peer,)
        parts = [[category(p, q, True) for q in (False, True)] for p in peers]
    elif first is None:
        parts = [
            [category(p, q, f) for f in (False, True)]
            for p in (False, True)
            for q in (False, True)
            if (peer is None or p == peer) and (prof is None or q == prof)
        ]
    else:
        raise ValueError("Meetings that are not first are not published on their own.")
    return ctx.count_parts(KEY, parts, only)


MEETINGS = "Network meetings"
WITH_PEER = "With a peer present"
SHARE = "Share with a peer present"


def section(ctx: Context) -> Section:
    everything, with_peer = meetings(ctx), meetings(ctx, peer=True)
    monthly = [
        (
            label,
            [
                meetings(ctx, [m]),
                meetings(ctx, [m], peer=True),
                suppression.share(meetings(ctx, [m], peer=True), meetings(ctx, [m])),
            ],
        )
        for label, m in ctx.by_month()
    ]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            (MEETINGS, everything),
            (WITH_PEER, with_peer),
            (SHARE, suppression.share(with_peer, everything)),
        ],
        line_chart=line_chart([(label, figures[2]) for label, figures in monthly]),
        table=Table(
            caption="Meetings with a peer present, by month",
            columns=[MEETINGS, WITH_PEER, SHARE],
            rows=monthly,
        ),
    )
