"""Participation: how many of the network's own people come to its meetings.

Open Dialogue meets the person with the people around them. This counts, by
month, network meetings and the network members recorded present at them (one
per person per meeting, MemberAttendance), and publishes the average per meeting.
Never who came: only how many.
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
    month_of,
)
from dashboards.suppression import Figure
from meetings.models import NetworkMeeting

KEY = "members_present"
SLUG = "participation"
TITLE = "Network members at meetings"
DEFINITION = (
    "Network meetings in the period and the network members recorded as present at "
    "them (each person counted once per meeting), and the average number present per "
    "meeting. Practitioners are not counted here."
)
WHAT_IT_TELLS = "Whether meetings bring the person's own network into the room."

PRESENT = "present"


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Network members present by team and month, in one query. The meetings
    they are per meeting of are peer_present's (published from its parts)."""
    groups = (
        NetworkMeeting.objects.filter(
            in_teams("network__team_id", team_ids), in_period("starts_at", period)
        )
        .annotate(team=F("network__team_id"), month=TruncMonth("starts_at"))
        .values("team", "month")
        .annotate(present=Count("member_attendances"))
        .filter(present__gt=0)
        .order_by()
    )
    return [
        (group["team"], month_of(group["month"]), KEY, PRESENT, group["present"])
        for group in groups
    ]


def per_meeting(present: Figure, meetings: Figure) -> Figure:
    """The average present per meeting, from the two *published* counts.

    Worked out from the rounded, suppressed counts, never the raw ones, for the
    same reason suppression.share is: an average from raw numbers, shown beside
    counts rounded to 5, would let a reader work the hidden raw counts back out.
    So it is withheld when either count is suppressed, and tells nobody more than
    the two counts beside it.
    """
    if present.value is None or meetings.value is None:
        return Figure(None, suppression.WITHHELD, "per_meeting")
    if not meetings.value:
        return Figure(None, "none", "per_meeting")
    average = round(present.value / meetings.value, 1)
    return Figure(average, f"{average:.1f} per meeting", "per_meeting")


def figures(ctx: Context, only: Sequence[date]) -> list[Figure]:
    # All meetings as peer_present publishes them (see reflecting_conversations).
    meetings = peer_present.meetings(ctx, only)
    present = ctx.count(KEY, PRESENT, only)
    return [meetings, present, per_meeting(present, meetings)]


def section(ctx: Context) -> Section | None:
    whole = figures(ctx, ctx.months)
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("Network meetings", whole[0]),
            ("Network members present", whole[1]),
            ("Average present per meeting", whole[2]),
        ],
        table=Table(
            caption="Network members present, by month",
            columns=["Meetings", "Members present", "Average per meeting"],
            rows=[(label, figures(ctx, [m])) for label, m in ctx.by_month()],
        ),
    )
