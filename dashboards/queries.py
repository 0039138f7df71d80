"""The rollup's rows: every measure's monthly query, concatenated.

Each measure's query lives in its own module (dashboards/measures/); this is
what rollup.refresh asks for. `Period` and `Row` are re-exported from
dashboards/measures/base.py for the forms and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dashboards.measures.base import Period, Row, as_of

__all__ = ["Period", "Row", "all_rows"]


def all_rows(
    team_ids: Sequence[int] | None, period: Period | None, now: datetime | None = None
) -> list[Row]:
    """Every measure's rows (a live measure has none), as of `now`."""
    from dashboards import measures  # the measure modules may import this module

    with as_of(now):
        return [row for measure in measures.MEASURES for row in measure.rows(team_ids, period)]
