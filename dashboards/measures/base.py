"""What every measure module shares: the rollup's Row, the page's Context, the
sections it returns (dashboards/sections.py) and the query helpers.

A measure module (dashboards/measures/<name>.py) defines:

- KEY: the rollup measure key its rows carry (None for a live measure);
- SLUG, TITLE, DEFINITION (what it counts), WHAT_IT_TELLS (one line);
- rows(team_ids, period) -> list[Row]: its monthly query for the rollup
  ([] for a live measure); team_ids and period None mean every team, any time.
  Rows must be unique per (team, month, key, category): add duplicates up with
  `combine`;
- section(ctx) -> Section | None: what the page shows (None: nothing).

Queries return plain numbers by team, month and category: never a row per
person, never a note's text (no query selects an encrypted column; "has text" is
asked as `text != ''`, which the encrypted field stores as it is). Every number
a section shows is made by dashboards/suppression.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError
from django.db.models import Func, IntegerField, Q
from django.utils import timezone

from dashboards import suppression
from dashboards.sections import (
    WHOLE_PERIOD,
    Bar,
    BarChart,
    LineChart,
    Point,
    Section,
    Table,
    bar_chart,
    line_chart,
)
from dashboards.suppression import Figure
from principles.models import Principle
from teams.models import PRACTICE_ROLES, IntervisionGroup

__all__ = [
    "WHOLE_PERIOD",
    "Bar",
    "BarChart",
    "Context",
    "LineChart",
    "Period",
    "Point",
    "Row",
    "Section",
    "Table",
    "WholeDaysBetween",
    "as_of",
    "bar_chart",
    "combine",
    "in_period",
    "in_teams",
    "line_chart",
    "month_label",
    "month_of",
    "now",
    "practising_in",
]

# A row of the rollup: (team id, first day of the month, measure key, category, value).
Row = tuple[int, date, str, str, int]


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` inclusive, in the site's time zone."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        """The first day of each month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def month_label(month: date) -> str:
    return f"{month:%b %Y}"


@dataclass(frozen=True)
class Context:
    """What a measure's section is made from: the page's teams and period and
    the rollup, read once for every measure."""

    team_ids: list[int]
    period: Period
    months: list[date]  # first days of the months in the period
    labels: list[str]  # "Jan 2025", one per month
    figures: Counter  # rollup.read(...): {(team, month, measure, category): value}
    # Each cell's published figure, made once: a page asks for the same cells in
    # its monthly tables and its whole-period figures (all teams: 100 teams x 12
    # months x every part of every figure).
    _published: dict = field(default_factory=dict, compare=False, repr=False)
    _categories: dict = field(default_factory=dict, compare=False, repr=False)
    _principles: list = field(default_factory=list, compare=False, repr=False)
    _groups: list = field(default_factory=list, compare=False, repr=False)

    def principles(self) -> list[Principle]:
        """Every principle, by framework and order, read once for the page's
        measures (those reflected on, and the self-check's)."""
        if not self._principles:
            self._principles.extend(all_principles())
        return self._principles

    def intervision_groups(self) -> list[tuple[int, str, str]]:
        """(id, name, team's name) of the page's teams' intervision groups, read once."""
        if not self._groups:
            self._groups.append(intervision_groups(self.team_ids))
        return self._groups[0]

    def categories(self, measure: str) -> list[str]:
        """The categories of `measure` the rollup holds for the page's teams and
        months (a measure with many possible ones, such as days, has few)."""
        if measure not in self._categories:
            self._categories[measure] = sorted(
                {category for (_t, _m, key, category) in self.figures if key == measure}
            )
        return self._categories[measure]

    def total(self, measure: str, category: str, only: Sequence[date] | None = None) -> int:
        """The rollup's value for a measure's category, summed over the teams and
        the months `only` (every month of the period by default). A raw number,
        for medians and for what is not published as a count: a count goes
        through `count`."""
        months = self.months if only is None else only
        return sum(self.figures[(t, m, measure, category)] for t in self.team_ids for m in months)

    def cells(self, only: Sequence[date] | None = None) -> list[tuple[int, date]]:
        """(team, month) for each team of the page and each month of `only`."""
        return [(t, m) for t in self.team_ids for m in (self.months if only is None else only)]

    def count(
        self, measure: str, categories: str | Iterable[str], only: Sequence[date] | None = None
    ) -> Figure:
        """A count as it may be published: suppressed and rounded for each cell
        (one team's month, the sum of `categories`), then added up from the
        cells' published figures (suppression.total), never rounded again from
        the sum over the period or the teams: so no subtraction of one published
        figure from another gives a hidden one back."""
        chosen = (categories,) if isinstance(categories, str) else tuple(categories)
        return suppression.total(self.cell(t, m, measure, chosen) for t, m in self.cells(only))

    def cell(self, team: int, month: date, measure: str, categories: tuple[str, ...]) -> Figure:
        """One team's month of a measure's categories, as published (suppression.count)."""
        key = (team, month, measure, categories)
        published = self._published.get(key)
        if published is None:
            value = sum(self.figures[(team, month, measure, c)] for c in categories)
            published = self._published[key] = suppression.count(value)
        return published

    def count_parts(
        self,
        measure: str,
        parts: Iterable[Iterable[str]],
        only: Sequence[date] | None = None,
    ) -> Figure:
        """A count made of several published cells in each team's month: each
        part (a set of categories) is published on its own (`count`), and the
        figure is added up from them. For figures that overlap within a month
        (all meetings, those with a peer, co-working): publishing only the parts
        of one partition, and adding every such figure up from them, leaves no
        overlap to subtract (dashboards/measures/peer_present.py)."""
        chosen = [tuple(part) for part in parts]
        return suppression.total(
            self.cell(t, m, measure, part) for t, m in self.cells(only) for part in chosen
        )

    def hours(
        self,
        minutes: str,
        records: str,
        categories: Iterable[str],
        only: Sequence[date] | None = None,
    ) -> Figure:
        """Time in hours, published for each cell and added up (like `count`)."""
        chosen = list(categories)
        return suppression.total_hours(
            suppression.hours(
                sum(self.figures[(t, m, minutes, c)] for c in chosen),
                sum(self.figures[(t, m, records, c)] for c in chosen),
            )
            for t, m in self.cells(only)
        )

    def by_month(self) -> list[tuple[str, date]]:
        """(label, month) for each month of the period."""
        return list(zip(self.labels, self.months, strict=True))


def all_principles() -> list[Principle]:
    """Every principle with its framework, by framework and order: what the
    measures name (a live read, not the rollup's)."""
    return list(Principle.objects.select_related("framework").order_by("framework", "order"))


def intervision_groups(team_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(id, name, team's name) of the teams' intervision groups, by team name and
    name: the rows of the intervision measure (a live read, not the rollup's)."""
    return list(
        IntervisionGroup.objects.filter(team_id__in=team_ids)
        .order_by("team__name", "name", "pk")
        .values_list("pk", "name", "team__name")
    )


# "Now" for the measures that count only what is due or past (supervision,
# intervision sessions): the time the rollup is refreshed for.
_now: ContextVar[datetime | None] = ContextVar("dashboards_measures_now", default=None)


def now() -> datetime:
    return _now.get() or timezone.now()


@contextmanager
def as_of(moment: datetime | None) -> Iterator[None]:
    """Run the measures' queries as if it were `moment` (None: the real now)."""
    token = _now.set(moment)
    try:
        yield
    finally:
        _now.reset(token)


def combine(rows: Iterable[Row]) -> list[Row]:
    """Rows for the same (team, month, measure, category) added together."""
    totals: dict[tuple[int, date, str, str], int] = {}
    for team, month, measure, category, value in rows:
        key = (team, month, measure, category)
        totals[key] = totals.get(key, 0) + value
    return [(*key, value) for key, value in totals.items()]


def month_of(value: date | datetime | None) -> date | None:
    """The first day of the month of a date, or of a datetime in the site's zone."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


class WholeDaysBetween(Func):
    """Whole days from the second datetime to the first (rounded down)."""

    output_field = IntegerField()
    arity = 2

    def _compile(self, compiler: Any) -> tuple[str, str, list]:
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return later, earlier, [*later_params, *earlier_params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        raise NotSupportedError("WholeDaysBetween is written for PostgreSQL and SQLite.")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        later, earlier, params = self._compile(compiler)
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        later, earlier, params = self._compile(compiler)
        return f"FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400)::integer", params


def in_period(field: str, period: Period | None, *, dates: bool = False) -> Q:
    """The field falls in the period (any time when there is no period)."""
    if period is None:
        return Q()
    if dates:
        return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


def practising_in(prefix: str, team_ids: Sequence[int] | None) -> Q:
    """The author (reached through `prefix`) practises in one of the teams.

    Whose reflections count for a team: those written by its peer practitioners
    and practitioners, so a person in two teams counts in both."""
    q = Q(**{f"{prefix}memberships__role__in": PRACTICE_ROLES})
    if team_ids is not None:
        q &= Q(**{f"{prefix}memberships__team_id__in": team_ids})
    return q


def in_teams(field: str, team_ids: Sequence[int] | None) -> Q:
    return Q() if team_ids is None else Q(**{f"{field}__in": team_ids})
