"""What the dashboard shows: each measure's section, in page order.

`build()` reads the rollup once and hands it, with the teams and the period, to
every measure in dashboards/measures/ (MEASURES); the template and the CSV
export both walk the sections it returns, so the export is exactly the page.
Every number passes through dashboards/suppression.py on its way.

`sections_html()` is the page's sections rendered, kept in Django's cache
(Redis in production). The sections are aggregates only (no name, no note, no
text), and they depend on nothing but what the cache key holds: the rollup
refresh they were counted from, the teams, the period, the live rows the
measures name (`Live`: principles and intervision groups) and this code. The
view checks who may see which teams on every request, before it asks for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from dashboards import measures, rollup
from dashboards.measures.base import (
    Context,
    Period,
    all_principles,
    intervision_groups,
    month_label,
)
from dashboards.models import RollupRefresh
from dashboards.sections import Section
from principles.models import Principle

SECTIONS_TEMPLATE = "dashboards/includes/sections.html"
# Longer than beat's 15 minutes, so a key outlives its refresh and then expires.
CACHE_SECONDS = 60 * 60


@dataclass
class Dashboard:
    period: Period
    sections: list[Section]


@dataclass(frozen=True)
class Live:
    """What the sections read besides the rollup, as it is now: the principles
    (their names and frameworks) and the teams' intervision groups (their names,
    their teams' names). A change to any of them is on the page at once."""

    principles: list[Principle]
    groups: list[tuple[int, str, str]]

    @classmethod
    def read(cls, team_ids: Sequence[int]) -> Live:
        return cls(principles=all_principles(), groups=intervision_groups(team_ids))

    def fingerprint(self) -> tuple:
        """Every stored field of every principle and its framework, and the groups."""
        principles = tuple(
            (_fields(principle), _fields(principle.framework)) for principle in self.principles
        )
        return principles, tuple(self.groups)


def _fields(instance: object) -> tuple:
    return tuple(getattr(instance, f.attname) for f in instance._meta.concrete_fields)  # type: ignore[attr-defined]


def build(team_ids: Sequence[int], period: Period, live: Live | None = None) -> Dashboard:
    """Every measure for these teams over the period: the rollup in one query,
    and only what a live measure asks for itself (the principles'
    names, the teams' intervision groups; `live` when already read): the same
    number at any size."""
    months = period.months()
    ctx = Context(
        team_ids=list(team_ids),
        period=period,
        months=months,
        labels=[month_label(m) for m in months],
        figures=rollup.read(team_ids, months[0], months[-1]),
        _principles=list(live.principles) if live else [],
        _groups=[live.groups] if live else [],
    )
    sections = []
    for measure in measures.MEASURES:
        section = measure.section(ctx)
        if section is None:
            continue
        section.what_it_tells = section.what_it_tells or measure.WHAT_IT_TELLS
        sections.append(section)
    return Dashboard(period=period, sections=sections)


@cache
def code_version() -> str:
    """A digest of the code and templates that make the sections, so that a new
    release (or two releases side by side while one replaces the other) never
    serves what another rendered."""
    here = Path(__file__).resolve().parent
    files = sorted(here.rglob("*.py")) + sorted(
        (Path(settings.BASE_DIR) / "templates" / "dashboards").rglob("*.html")
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(team_ids: Sequence[int], period: Period, refreshed: RollupRefresh, live: Live) -> str:
    """Everything the rendered sections depend on: the refresh (its id and time),
    the teams (in order), the period's first and last days, the live rows and
    the code."""
    parts = (
        code_version(),
        refreshed.pk,
        refreshed.finished_at.isoformat(),
        tuple(team_ids),
        period.start.isoformat(),
        period.end.isoformat(),
        live.fingerprint(),
    )
    return "dashboards:sections:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def sections_html(
    team_ids: Sequence[int], period: Period, refreshed: RollupRefresh | None
) -> SafeString:
    """The page's sections, rendered: from the cache when these teams and period
    were rendered from this refresh before, with the same live rows. Only for
    teams the viewer may see (the view checks, on every request, first). Not
    cached before the first refresh, when there is nothing to key it on."""
    live = Live.read(team_ids)
    key = cache_key(team_ids, period, refreshed, live) if refreshed else None
    if key:
        # Stored as the SafeString the template engine made (the cache pickles
        # it as it is): nothing here marks text safe.
        cached = django_cache.get(key)
        if isinstance(cached, SafeString):
            return cached
    board = build(team_ids, period, live)
    html = render_to_string(SECTIONS_TEMPLATE, {"sections": board.sections})
    if key:
        django_cache.set(key, html, CACHE_SECONDS)
    return html
