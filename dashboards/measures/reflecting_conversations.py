"""Reflecting conversations: the share of network meetings that held one.

In a reflecting conversation the practitioners talk together, in front of the
network, about what they heard. This counts, by month, network meetings and
those where one was recorded (NetworkMeeting.reflecting_conversation).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures import peer_present
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
from meetings.models import NetworkMeeting

KEY = "reflecting"
SLUG = "reflecting-conversations"
TITLE = "Meetings with a reflecting conversation"
DEFINITION = (
    "Network meetings in the period where the practitioners held a reflecting "
    "conversation (talked together, in the room, about what they heard), as a count "
    "and as a share of all meetings."
)
WHAT_IT_TELLS = "How often the team reflects openly in front of the network, as the practice asks."

WITH_REFLECTING = "with_reflecting"


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Meetings with a reflecting conversation, by team and month, in one query.
    All meetings are peer_present's (published from its parts)."""
    groups = (
        NetworkMeeting.objects.filter(
            in_teams("network__team_id", team_ids),
            in_period("starts_at", period),
            reflecting_conversation=True,
        )
        .annotate(team=F("network__team_id"), month=TruncMonth("starts_at"))
        .values("team", "month")
        .annotate(with_reflecting=Count("pk"))
        .order_by()
    )
    return [
        (group["team"], month_of(group["month"]), KEY, WITH_REFLECTING, group["with_reflecting"])
        for group in groups
    ]


def figures(ctx: Context, only: Sequence[date]) -> list[Figure]:
    # All meetings as peer_present publishes them (added up from its parts), not
    # rounded again from this measure's own count: two roundings of one number
    # would narrow it down.
    meetings = peer_present.meetings(ctx, only)
    reflecting = ctx.count(KEY, WITH_REFLECTING, only)
    return [meetings, reflecting, suppression.share(reflecting, meetings)]


def section(ctx: Context) -> Section | None:
    whole = figures(ctx, ctx.months)
    monthly = [(label, figures(ctx, [m])) for label, m in ctx.by_month()]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("Network meetings", whole[0]),
            ("With a reflecting conversation", whole[1]),
            ("Share with a reflecting conversation", whole[2]),
        ],
        line_chart=line_chart([(label, row[2]) for label, row in monthly]),
        table=Table(
            caption="Meetings with a reflecting conversation, by month",
            columns=["Meetings", "With a reflecting conversation", "Share"],
            rows=monthly,
        ),
    )
