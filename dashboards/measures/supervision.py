"""Supervision: notes reviewed within 14 days, and days to the first response."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures import base
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    WholeDaysBetween,
    in_period,
    month_of,
    practising_in,
)
from supervision.models import Response, Share

KEY = "review"  # categories: due, in_time
FIRST_RESPONSE_DAYS = "first_response_days"  # categories: whole days, as text
SLUG = "supervision"
TITLE = "Supervision"
DEFINITION = (
    "Of notes shared with a supervisor in the period, at least 14 days ago, the "
    "share marked reviewed within 14 days; and the median whole days from sharing "
    "a note to its first response."
)
WHAT_IT_TELLS = "Whether the people who share their practice hear back in good time."

REVIEW_WITHIN = timedelta(days=14)


def rows(
    team_ids: Sequence[int] | None, period: Period | None, *, now: datetime | None = None
) -> list[Row]:
    """By team and month of sharing: notes shared with a supervisor at least 14
    days before `now` ("due") and those reviewed within 14 days; and the whole
    days from sharing to the first response by someone other than the author."""
    now = now or base.now()
    shares = Share.objects.filter(
        practising_in("reflection__author__", team_ids), in_period("shared_at", period)
    ).annotate(team=F("reflection__author__memberships__team_id"), month=TruncMonth("shared_at"))
    review = (
        shares.filter(supervisor__isnull=False, shared_at__lte=now - REVIEW_WITHIN)
        .values("team", "month")
        .annotate(
            due=Count("pk", distinct=True),
            in_time=Count(
                "pk",
                distinct=True,
                filter=Q(reviewed_at__lte=F("shared_at") + REVIEW_WITHIN),
            ),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in review:
        month = month_of(row["month"])
        result.append((row["team"], month, KEY, "due", row["due"]))
        result.append((row["team"], month, KEY, "in_time", row["in_time"]))
    first_response = (
        Response.objects.filter(share=OuterRef("pk"))
        .exclude(author=OuterRef("reflection__author"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    days = (
        shares.annotate(first_at=Subquery(first_response))
        .filter(first_at__isnull=False)
        .annotate(days=WholeDaysBetween("first_at", "shared_at"))
        .values("team", "month", "days")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in days:
        result.append(
            (row["team"], month_of(row["month"]), FIRST_RESPONSE_DAYS, str(row["days"]), row["n"])
        )
    return result


def section(ctx: Context) -> Section:
    # Days to the first response, pooled over the teams and months: a median,
    # not a count, so not published cell by cell.
    days: Counter[int] = Counter()
    for (_team, month, measure, category), value in ctx.figures.items():
        if measure == FIRST_RESPONSE_DAYS and month in ctx.months:
            days[int(category)] += value
    due = ctx.count(KEY, "due")
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("Notes shared with a supervisor", due),
            ("Share reviewed within 14 days", suppression.share(ctx.count(KEY, "in_time"), due)),
            ("Median days to the first response", suppression.median_of_histogram(days, "days")),
        ],
    )
