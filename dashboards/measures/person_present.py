"""The person at the centre at their own network meetings.

Open Dialogue's starting point is that nothing is decided about the person
without them. This counts, by month, network meetings where the person at the
centre was there (in person, online or by phone) and those where they were not,
among meetings whose record says (NetworkMeeting.person_attendance; meetings
logged before it existed say nothing and are left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, F
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
from meetings.models import NetworkMeeting, PersonAttendance

KEY = "person_present"
SLUG = "person-present"
TITLE = "The person at the centre at their meetings"
DEFINITION = (
    "Network meetings in the period whose record says whether the person at the "
    "centre was there, and those where they were (in person, online or by phone), "
    "as a count and as a share."
)
WHAT_IT_TELLS = "Whether meetings happen with the person, not about them."

PRESENT = [PersonAttendance.IN_PERSON, PersonAttendance.ONLINE, PersonAttendance.PHONE]
ABSENT = [PersonAttendance.ABSENT]


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Meetings by team, month and the person's attendance, in one query."""
    groups = (
        NetworkMeeting.objects.filter(
            in_teams("network__team_id", team_ids),
            in_period("starts_at", period),
            person_attendance__isnull=False,
        )
        .annotate(team=F("network__team_id"), month=TruncMonth("starts_at"))
        .values("team", "month", "person_attendance")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (group["team"], month_of(group["month"]), KEY, group["person_attendance"], group["n"])
        for group in groups
    ]


def figures(ctx: Context, only: Sequence[date]) -> list[Figure]:
    # Two parts are published for each team's month, present and not, and the
    # meetings recorded are added up from them (Context.count_parts): rounding
    # that total on its own as well would let a hidden part be worked out.
    present = ctx.count(KEY, PRESENT, only)
    recorded = ctx.count_parts(KEY, [PRESENT, ABSENT], only)
    return [recorded, present, suppression.share(present, recorded)]


def section(ctx: Context) -> Section | None:
    whole = figures(ctx, ctx.months)
    monthly = [(label, figures(ctx, [m])) for label, m in ctx.by_month()]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("Meetings with the person's attendance recorded", whole[0]),
            ("With the person at the centre there", whole[1]),
            ("Share with the person there", whole[2]),
        ],
        line_chart=line_chart([(label, row[2]) for label, row in monthly]),
        table=Table(
            caption="Meetings with the person at the centre there, by month",
            columns=["Recorded", "With the person there", "Share"],
            rows=monthly,
        ),
    )
