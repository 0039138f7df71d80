"""Principles reflected on: the four peer-practice principles always; another
framework's (Open Dialogue's) only those some reflection in the period used."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from dashboards.measures.base import (
    WHOLE_PERIOD,
    Context,
    Period,
    Row,
    Section,
    Table,
    bar_chart,
    in_period,
    month_of,
    practising_in,
)
from principles.models import PEER_PRACTICE
from reflections.models import PrincipleNote

KEY = "principle_notes"
SLUG = "principles"
TITLE = "Principles reflected on"
DEFINITION = (
    "Principle notes with something written or a presence rating, in reflections "
    "by the team's practitioners, per principle and month of writing. The four "
    "peer-practice principles are always listed; the Open Dialogue principles only "
    "when a reflection in the period used them."
)
WHAT_IT_TELLS = "Which principles practitioners think about in their reflections, and which not."


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Principle notes by team, month (of the reflection) and principle. A note
    counts when it has text or a presence rating; text is tested as stored
    (empty or not), never decrypted."""
    notes = (
        PrincipleNote.objects.filter(
            practising_in("reflection__author__", team_ids),
            in_period("reflection__written_at", period),
        )
        .exclude(text="", presence="")
        .annotate(
            team=F("reflection__author__memberships__team_id"),
            month=TruncMonth("reflection__written_at"),
        )
        .values("team", "month", "principle_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return [
        (row["team"], month_of(row["month"]), KEY, str(row["principle_id"]), row["n"])
        for row in notes
    ]


def section(ctx: Context) -> Section:
    listed = [
        principle
        for principle in ctx.principles()
        if principle.framework.slug == PEER_PRACTICE or ctx.total(KEY, str(principle.pk))
    ]
    totals = [(p.name, ctx.count(KEY, str(p.pk))) for p in listed]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        bar_chart=bar_chart(totals),
        table=Table(
            caption="Principle notes by month",
            columns=[*ctx.labels, WHOLE_PERIOD],
            rows=[
                (
                    p.name,
                    [
                        *(ctx.count(KEY, str(p.pk), [m]) for m in ctx.months),
                        total,
                    ],
                )
                for p, (_, total) in zip(listed, totals, strict=True)
            ],
        ),
    )
