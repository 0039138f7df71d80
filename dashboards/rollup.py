"""Rebuild the monthly rollup from the live tables, and read it for a page.

`refresh()` runs from a Celery beat task (dashboards/tasks.py), from
`manage.py refresh_dashboard` and, when no beat runs, from the page itself
when the figures are stale (`fresh()`). It replaces every row in one transaction, so a
page never sees half a refresh.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dashboards import queries
from dashboards.models import MonthlyFigure, RollupRefresh

BATCH = 5_000


def refresh(now: datetime | None = None) -> RollupRefresh:
    started = time.monotonic()
    now = now or timezone.now()
    rows = queries.all_rows(None, None, now)
    with transaction.atomic():
        MonthlyFigure.objects.all().delete()
        MonthlyFigure.objects.bulk_create(
            (
                MonthlyFigure(team_id=team, month=month, measure=measure, category=cat, value=v)
                for team, month, measure, cat, v in rows
                if v
            ),
            batch_size=BATCH,
        )
        return RollupRefresh.objects.create(
            finished_at=timezone.now(), seconds=time.monotonic() - started, figures=len(rows)
        )


def read(team_ids: Sequence[int], first: date, last: date) -> Counter:
    """{(team, month, measure, category): value}, for the months from `first` to
    `last` (first days of months), in one query. Kept by team: a count is
    published for one team's month (a cell) and added up from there
    (dashboards/suppression.py)."""
    rows = MonthlyFigure.objects.filter(
        team_id__in=team_ids, month__gte=first, month__lte=last
    ).values_list("team_id", "month", "measure", "category", "value")
    return Counter(
        {(team, month, measure, category): value for team, month, measure, category, value in rows}
    )


def last_refresh() -> RollupRefresh | None:
    return RollupRefresh.objects.order_by("-finished_at").first()


def fresh(max_age: timedelta) -> RollupRefresh:
    """The last refresh, after refreshing first when there is none or it is older
    than `max_age`: for the page, when no beat refreshes the rollup (the embedded
    default, dashboards/views.py). One query when it is fresh."""
    last = last_refresh()
    if last is None or timezone.now() - last.finished_at > max_age:
        return refresh()
    return last
