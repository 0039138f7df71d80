"""Immediate help: the days from a network's first contact to its first meeting.

Open Dialogue offers help straight away: a first meeting within a day of the
call. This counts, for networks whose first contact date is recorded, the whole
days from that date to the day of the network's first meeting (in the site's
time zone), by the month of the first meeting. The rollup holds a histogram
{days: networks}; the page publishes its median and the share met within a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery
from django.db.models.functions import TruncDate, TruncMonth

from dashboards import suppression
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    combine,
    in_period,
    in_teams,
    line_chart,
    month_of,
)
from dashboards.suppression import Figure
from meetings.models import Network, NetworkMeeting

KEY = "first_contact_days"
SLUG = "immediate-help"
TITLE = "Immediate help: from first contact to the first meeting"
DEFINITION = (
    "For networks whose first contact date is recorded, the whole days from that first "
    "contact to the network's first meeting, by the month of the first meeting: the "
    "median, and the share met by the next day. A first contact recorded after the "
    "first meeting is taken as a typing mistake and left out."
)
WHAT_IT_TELLS = "How soon a network in crisis met the team after first asking for help."

# Exact days up to a year; anything longer is one category, "366+" (366 or more).
MOST_DAYS = 365
OVER = f"{MOST_DAYS + 1}+"
# "Within a day": met the same day or the next.
WITHIN_DAYS = 1


def category(days: int) -> str:
    return str(days) if days <= MOST_DAYS else OVER


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Networks by team, month of their first meeting and whole days from the first
    contact to that meeting, in one query; only the dates are read.

    The first meeting is the network's earliest, ever: a network whose first
    meeting falls before the period is not counted in it.
    """
    first_meeting = (
        NetworkMeeting.objects.filter(network=OuterRef("pk"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    groups = (
        Network.objects.filter(in_teams("team_id", team_ids), first_contact_on__isnull=False)
        .annotate(first_at=Subquery(first_meeting))
        .filter(in_period("first_at", period), first_at__isnull=False)
        .annotate(first_day=TruncDate("first_at"), month=TruncMonth("first_at"))
        .filter(first_contact_on__lte=F("first_day"))
        .annotate(
            gap=ExpressionWrapper(
                F("first_day") - F("first_contact_on"), output_field=DurationField()
            )
        )
        .values("team_id", "month", "gap")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Gaps over a year share a category, so rows may meet here: add them up.
    return combine(
        (g["team_id"], month_of(g["month"]), KEY, category(g["gap"].days), g["n"]) for g in groups
    )


def _histogram(ctx: Context, only: Sequence[date]) -> Counter[int]:
    """{days: networks} over the months `only`, 366 standing for 366 or more."""
    histogram: Counter[int] = Counter()
    for category in ctx.categories(KEY):
        days = MOST_DAYS + 1 if category == OVER else int(category)
        n = ctx.total(KEY, category, only)
        if n:
            histogram[days] = n
    return histogram


def _median(histogram: Counter[int], base: Figure) -> Figure:
    median = suppression.median_of_histogram(histogram, "days", base)
    # The same published value; only its words change: "or more" for the
    # category of longer waits, and "1 day", not "1 days".
    if median.value is not None and median.value > MOST_DAYS:
        return Figure(median.value, f"{median.value} days or more", median.unit)
    if median.value == 1:
        return Figure(median.value, "1 day", median.unit)
    return median


def figures(ctx: Context, only: Sequence[date]) -> list[Figure]:
    """Networks with a first contact date, the median days, the share within a day."""
    histogram = _histogram(ctx, only)
    every_wait = ctx.categories(KEY)  # those the rollup holds: the rest are 0
    networks = ctx.count(KEY, every_wait, only)
    within = ctx.count(KEY, [c for c in every_wait if c != OVER and int(c) <= WITHIN_DAYS], only)
    return [networks, _median(histogram, networks), suppression.share(within, networks)]


def section(ctx: Context) -> Section | None:
    whole = figures(ctx, ctx.months)
    monthly = [(label, figures(ctx, [m])) for label, m in ctx.by_month()]
    chart = line_chart([(label, row[2]) for label, row in monthly])
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("First meetings with a first contact date", whole[0]),
            ("Median days from first contact", whole[1]),
            ("Share met by the next day", whole[2]),
        ],
        line_chart=chart,
        table=Table(
            caption="From first contact to the first meeting, by month of the first meeting",
            columns=["Networks", "Median days", "Share met by the next day"],
            rows=monthly,
        ),
    )
