"""Self-disclosure: how often peers record sharing their own experience, what it
cost them and whether it felt safe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    combine,
    in_period,
    line_chart,
    month_of,
    practising_in,
)
from dashboards.suppression import Figure
from reflections.models import Disclosed, FeltSafe, Reflection

KEY = "reflections"  # categories: all, disclosed, safety_answered, not_safe
EMOTIONAL_COST = "emotional_cost"  # categories: the cost reported, 0 to 4
SLUG = "disclosure"
TITLE = "Self-disclosure"
DEFINITION = (
    "Of reflections by the team's practitioners: the share recording a "
    "self-disclosure, the median emotional cost reported (0 none to 4 very high) "
    "and the share of disclosures that did not feel safe."
)
WHAT_IT_TELLS = "Whether peers draw on their own experience, and at what cost to them."
NO_CHART = (
    "No chart: no month in the period has enough reflections to show a share. "
    "The table gives each month."
)

DISCLOSED = [Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING]
LABELS = [
    "Reflections",
    "Share with a disclosure",
    "Median emotional cost (0 to 4)",
    "Share of disclosures that did not feel safe",
]


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Reflections, disclosures, safety answers and emotional costs by team and
    month: one query, at most 6 groups a month (one per reported cost)."""
    disclosed = Q(disclosure__disclosed__in=DISCLOSED)
    groups = (
        Reflection.objects.filter(
            practising_in("author__", team_ids), in_period("written_at", period)
        )
        .annotate(
            team=F("author__memberships__team_id"),
            month=TruncMonth("written_at"),
            cost=F("disclosure__emotional_cost"),
        )
        .values("team", "month", "cost")
        .annotate(
            all=Count("pk", distinct=True),
            disclosed=Count("pk", distinct=True, filter=disclosed),
            safety_answered=Count(
                "pk", distinct=True, filter=disclosed & ~Q(disclosure__felt_safe="")
            ),
            not_safe=Count(
                "pk", distinct=True, filter=disclosed & Q(disclosure__felt_safe=FeltSafe.NO)
            ),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in groups:
        team, month = row["team"], month_of(row["month"])
        for category in ("all", "disclosed", "safety_answered", "not_safe"):
            if row[category]:
                result.append((team, month, KEY, category, row[category]))
        if row["cost"] is not None and row["disclosed"]:
            result.append((team, month, EMOTIONAL_COST, str(row["cost"]), row["disclosed"]))
    # Each cost is a group of its own, so a month's counts come in parts.
    return combine(result)


def _figures(ctx: Context, only: Sequence[date] | None = None) -> list[Figure]:
    reflections = ctx.count(KEY, "all", only)
    costs = Counter({cost: ctx.total(EMOTIONAL_COST, str(cost), only) for cost in range(5)})
    return [
        reflections,
        suppression.share(ctx.count(KEY, "disclosed", only), reflections),
        # Shown only over a published count of 8 or more disclosures with a cost.
        suppression.median_of_histogram(
            +costs, base=ctx.count(EMOTIONAL_COST, [str(cost) for cost in range(5)], only)
        ),
        suppression.share(
            ctx.count(KEY, "not_safe", only), ctx.count(KEY, "safety_answered", only)
        ),
    ]


def section(ctx: Context) -> Section:
    monthly = [(label, _figures(ctx, [m])) for label, m in ctx.by_month()]
    chart = line_chart([(label, figures[1]) for label, figures in monthly])
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=list(zip(LABELS, _figures(ctx), strict=True)),
        # Not bare axes: with no month to draw, no chart, and the page says so.
        line_chart=chart if chart.has_data else None,
        chart_note="" if chart.has_data else NO_CHART,
        table=Table(caption="Self-disclosure by month", columns=LABELS, rows=monthly),
    )
