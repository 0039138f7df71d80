"""Intervision sessions held, per group: only that a session took place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboards import suppression
from dashboards.measures import base
from dashboards.measures.base import (
    WHOLE_PERIOD,
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
from intervision.models import IntervisionSession

KEY = "intervision_sessions"  # categories: the group's id
SLUG = "intervision-sessions"
TITLE = "Intervision sessions by group"
DEFINITION = (
    "Sessions each of the team's intervision groups held, by month. A session "
    "dated after today is scheduled, not held, and is not counted. This counts "
    "only that a session took place: never who attended, nor anything said or "
    "written in it."
)
WHAT_IT_TELLS = "Whether each group keeps meeting to reflect on its practice together."


def rows(
    team_ids: Sequence[int] | None, period: Period | None, *, now: datetime | None = None
) -> list[Row]:
    """Intervision sessions held, by team, month and group (the category is the
    group's id), in one query, for the team the group belongs to. A session
    dated after today (scheduled, not yet held) does not count."""
    sessions = (
        IntervisionSession.objects.filter(
            in_teams("group__team_id", team_ids),
            in_period("held_on", period, dates=True),
            held_on__lte=timezone.localdate(now or base.now()),
        )
        .annotate(team=F("group__team_id"), month=TruncMonth("held_on"))
        .values("team", "month", "group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (row["team"], month_of(row["month"]), KEY, str(row["group_id"]), row["n"])
        for row in sessions
    ]


def section(ctx: Context) -> Section:
    groups = ctx.intervision_groups()

    def sessions(group_id: int, only=None) -> Figure:
        return ctx.count(KEY, str(group_id), only)

    # A group is named with its team when the page covers more than one team
    # (two teams may each have a group of the same name).
    group_rows = [
        (
            name if len(ctx.team_ids) == 1 else f"{name} ({team_name})",
            [
                *(sessions(pk, [m]) for m in ctx.months),
                sessions(pk),
            ],
        )
        for pk, name, team_name in groups
    ]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            (
                "Intervision sessions held",
                suppression.total(sessions(pk) for pk, _, _ in groups),
            ),
        ],
        table=Table(
            caption="Intervision sessions by group and month",
            columns=[*ctx.labels, WHOLE_PERIOD],
            rows=group_rows,
        )
        if groups
        else None,
    )
