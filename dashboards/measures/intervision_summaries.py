"""Intervision summaries reviewed in supervision: only that a summary was
agreed and reviewed, never what it says."""

from __future__ import annotations

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
    in_period,
    in_teams,
    line_chart,
    month_of,
)
from dashboards.suppression import Figure
from intervision.models import SupervisionSummary

KEY = "intervision_summaries"  # categories: agreed, reviewed
SLUG = "intervision-review"
TITLE = "Intervision summaries reviewed in supervision"
DEFINITION = (
    "Of the summaries for supervision that intervision groups agreed, the share "
    "their supervisor has marked reviewed, by month of agreement. This counts only "
    "that a summary was agreed and reviewed: never what it says, nor any response."
)
WHAT_IT_TELLS = "Whether what groups bring to supervision is taken up there."
LABELS = ["Summaries agreed", "Marked reviewed", "Share marked reviewed"]


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Summaries for supervision agreed by the group ("agreed") and, of those,
    marked reviewed by a supervisor ("reviewed"), by team and month of
    agreement, in one query. Only the two timestamps are read."""
    summaries = (
        SupervisionSummary.objects.filter(
            in_teams("session__group__team_id", team_ids),
            in_period("agreed_at", period),
            agreed_at__isnull=False,
        )
        .annotate(team=F("session__group__team_id"), month=TruncMonth("agreed_at"))
        .values("team", "month")
        .annotate(
            agreed=Count("pk"),
            reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in summaries:
        month = month_of(row["month"])
        result.append((row["team"], month, KEY, "agreed", row["agreed"]))
        result.append((row["team"], month, KEY, "reviewed", row["reviewed"]))
    return result


def _figures(ctx: Context, only: Sequence[date] | None = None) -> list[Figure]:
    agreed = ctx.count(KEY, "agreed", only)
    reviewed = ctx.count(KEY, "reviewed", only)
    return [agreed, reviewed, suppression.share(reviewed, agreed)]


def section(ctx: Context) -> Section:
    monthly = [(label, _figures(ctx, [m])) for label, m in ctx.by_month()]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=list(zip(LABELS, _figures(ctx), strict=True)),
        line_chart=line_chart([(label, figures[2]) for label, figures in monthly]),
        table=Table(
            caption="Intervision summaries by month of agreement", columns=LABELS, rows=monthly
        ),
    )
