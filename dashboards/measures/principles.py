"""Principles reflected on: the four peer-practice principles always; every other
framework's (Open Dialogue's, a team's own) only those some reflection in the
period used, and a team's own framework only on a page for that team."""

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
from principles.models import PEER_PRACTICE, Principle
from reflections.models import PrincipleNote

KEY = "principle_notes"
SLUG = "principles"
TITLE = "Principles reflected on"
DEFINITION = (
    "Principle notes with something written or a presence rating, in reflections "
    "by the team's practitioners, per principle and month of writing. The four "
    "peer-practice principles are always listed; the principles of other frameworks "
    "a team reflects with (Open Dialogue's, the team's own) only when a reflection "
    "in the period used them."
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


def _listed(ctx: Context) -> list[Principle]:
    """The principles the section lists, peer practice first, then each other
    framework by name: the peer practice principles always; any other when the
    period's rollup holds a note on it for the page's teams; a team's own
    framework only on a page that includes its team (another team never sees
    its name, even when someone practising in both teams wrote under it)."""
    used = [
        principle
        for principle in ctx.principles()
        if principle.framework.slug == PEER_PRACTICE
        or (
            (principle.framework.team_id is None or principle.framework.team_id in ctx.team_ids)
            and ctx.total(KEY, str(principle.pk))
        )
    ]
    return sorted(
        used,
        key=lambda p: (
            p.framework.slug != PEER_PRACTICE,
            p.framework.name,
            p.framework_id,
            p.order,
        ),
    )


def _label(principle: Principle) -> str:
    """The principle's name; a team's own principle's with its framework's, since
    it may share a name with a seeded one."""
    if principle.framework.team_id is None:
        return principle.name
    return f"{principle.name} ({principle.framework.name})"


def section(ctx: Context) -> Section:
    listed = _listed(ctx)
    totals = [(_label(p), ctx.count(KEY, str(p.pk))) for p in listed]
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
                    label,
                    [
                        *(ctx.count(KEY, str(p.pk), [m]) for m in ctx.months),
                        total,
                    ],
                )
                for p, (label, total) in zip(listed, totals, strict=True)
            ],
        ),
    )
