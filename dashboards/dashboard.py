"""What the dashboard shows: each measure's section, in page order.

`build()` reads the rollup once and hands it, with the teams and the period, to
every measure in dashboards/measures/ (MEASURES); the template and the CSV
export both walk the sections it returns, so the export is exactly the page.
Every number passes through dashboards/suppression.py on its way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards import measures, rollup
from dashboards.measures.base import Context, Period, month_label
from dashboards.sections import Section


@dataclass
class Dashboard:
    period: Period
    sections: list[Section]


def build(team_ids: Sequence[int], period: Period) -> Dashboard:
    """Every measure for these teams over the period: the rollup in one query,
    and only what a live measure asks for itself (the principles'
    names, the teams' intervision groups): the same number at any size."""
    months = period.months()
    ctx = Context(
        team_ids=list(team_ids),
        period=period,
        months=months,
        labels=[month_label(m) for m in months],
        figures=rollup.read(team_ids, months[0], months[-1]),
    )
    sections = []
    for measure in measures.MEASURES:
        section = measure.section(ctx)
        if section is None:
            continue
        section.what_it_tells = section.what_it_tells or measure.WHAT_IT_TELLS
        sections.append(section)
    return Dashboard(period=period, sections=sections)
