"""Disclosure control, in one place, for the page, the charts and every download.

The method is the one UK official statistics use for small counts (for example
the ONS and NHS England's small-numbers guidance): **suppress, then round**.

- A count of 0 shows as 0: nobody is in it.
- A count from 1 to 7 shows as "fewer than 8" (suppressed).
- Every other count is rounded to the nearest 5 (8 shows as 10, 12 as 10, 13 as
  15).
- What is suppressed and rounded is a *cell*: one team's figure for one calendar
  month. Every figure over more (a period, all of a lead's teams) is added up
  from the cells' published figures (`total`), never worked out from the data
  again; with suppressed cells in it, it is a range ("31 to 37").
- A share is worked out from the *published* (rounded) counts, and withheld when
  its base is under 8 or the count it is a share of is suppressed. So a share
  tells nobody more than the two counts it is made of.
- Time is given in hours, rounded to the nearest 5 hours (a total above 0 shows
  as at least 5), and withheld when built on 1 to 7 records.
- A median is shown only when the count of what it is a median of is published
  as 8 or more (not hidden, not a range): whether it shows depends on published
  figures alone, so it cannot tell how many values lay behind it.
- A range ("9 to 19") is where the true total lies: each hidden cell 1 to 7,
  each rounded one within 2 of what it shows.

Why: suppression alone is undone by subtraction (a period's total minus the
months shown gives the month hidden), and rounding each figure on its own is
still undone by chains of subtractions across overlapping periods (months 1-2
minus month 1, against months 2-3). Publishing cells once, and adding totals up
from what was published, leaves nothing to subtract: what anyone can learn is
exactly what the cells say. Within one team's month, figures that overlap (all
meetings, with a peer, co-working, first meetings) are likewise added up from
the published parts of a split (Context.count_parts), never rounded each on
its own. tests/dashboards/test_disclosure.py attacks what is published by
linear programming (the best any combination of subtractions can do).

Every figure the dashboard shows is a `Figure` made here. Templates and the CSV
print `figure.text` or `figure.value`; charts draw `figure.value`, which is None
for anything suppressed or withheld, so a chart never shows what the table does
not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 8
ROUND_TO = 5
HOURS_ROUND_TO = 5
FEWER_THAN = f"fewer than {THRESHOLD}"
WITHHELD = "withheld"
WITHHELD_NOTE = f"Withheld: built on fewer than {THRESHOLD}."
METHOD = (
    f"For each team and month, counts from 1 to {THRESHOLD - 1} show as “{FEWER_THAN}” "
    f"and every other count is rounded to the nearest {ROUND_TO} (hours to the nearest "
    f"{HOURS_ROUND_TO}). Totals over months or teams add those up, so a total with "
    "hidden months in it is a range, such as “11 to 17”. Shares are worked out from "
    "the published counts, and withheld when either is hidden or a range."
)


@dataclass(frozen=True)
class Figure:
    """A number as the dashboard may show it."""

    value: float | int | None  # None when suppressed or withheld
    text: str
    # What value is in, for the CSV's column names: "count", "percent", "hours",
    # or a median's unit ("days").
    unit: str = "count"
    # For a count: the range its true value is known to lie in from what is
    # published (a hidden count: 1 to 7; a count rounded to p: p - 2 to p + 2,
    # never under 8; 0: 0; a total: the sum of its parts' ranges). None for
    # anything but counts.
    low: int | None = None
    high: int | None = None

    @property
    def shown(self) -> bool:
        return self.value is not None

    @property
    def is_range(self) -> bool:
        """A count known only between two ends (a total with suppressed cells)."""
        return self.value is None and self.low is not None and self.high >= THRESHOLD

    def __str__(self) -> str:
        return self.text


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def rounded(number: int, base: int = ROUND_TO) -> int:
    """`number` to the nearest multiple of `base`, halves up (exact: no floats)."""
    return (number + base // 2) // base * base


def count(number: int) -> Figure:
    """One cell's count (one team, one month, one figure), as it may be published."""
    if is_small(number):
        return Figure(None, FEWER_THAN, low=1, high=THRESHOLD - 1)
    published = rounded(number)
    if not published:
        return Figure(0, "0", low=0, high=0)
    half = ROUND_TO // 2
    return Figure(
        published, f"{published:,}", low=max(THRESHOLD, published - half), high=published + half
    )


def total(parts: Iterable[Figure]) -> Figure:
    """A count over several cells (a period, all teams), added up from the cells'
    *published* figures, never from the data: so it tells nobody more than the
    cells do, and no subtraction of one total from another gives a hidden cell
    back. Shown when every part is (the sum of their published values); with
    hidden parts, the range the true total lies in ("9 to 19": each hidden part
    1 to 7, each rounded one within 2 of what it shows)."""
    parts = list(parts)
    low = sum(part.low or 0 for part in parts)
    high = sum(part.high or 0 for part in parts)
    if all(part.value is not None for part in parts):
        value = sum(part.value for part in parts)
        return Figure(value, f"{value:,}", low=low, high=high)
    if high < THRESHOLD:
        return Figure(None, FEWER_THAN, low=low, high=high)
    return Figure(None, f"{low:,} to {high:,}", low=low, high=high)


def _published(number: int | Figure) -> Figure:
    return number if isinstance(number, Figure) else count(number)


def share(part: int | Figure, base: int | Figure) -> Figure:
    """part / base as a whole percentage of their published counts; withheld
    when either is suppressed or only known as a range (a share of a known base
    would give the count back)."""
    part, base = _published(part), _published(base)
    if base.value == 0:
        return Figure(None, "none", "percent")
    if part.value is None or base.value is None:
        return Figure(None, WITHHELD, "percent")
    percent = round(100 * part.value / base.value)
    return Figure(percent, f"{percent}%", "percent")


def hours(minutes: int, records: int) -> Figure:
    """Time spent (given in minutes over some records) in hours, rounded to the
    nearest 5 hours; withheld when built on 1 to 7 records."""
    if is_small(records):
        return Figure(None, WITHHELD, "hours")
    if not minutes:
        return Figure(0, "0 hours", "hours")
    published = max(rounded(round(minutes / 60), HOURS_ROUND_TO), HOURS_ROUND_TO)
    return Figure(published, f"{published:,} hours", "hours")


def total_hours(parts: Iterable[Figure]) -> Figure:
    """Hours over several cells, added up from their published hours; withheld
    when any part is."""
    parts = list(parts)
    if any(part.value is None for part in parts):
        return Figure(None, WITHHELD, "hours")
    published = sum(part.value for part in parts)
    return Figure(published, f"{published:,} hours", "hours")


def hours_share(part: Figure, whole: Figure) -> Figure:
    """One published time as a share of another (both from `hours`)."""
    if part.value is None or whole.value is None:
        return Figure(None, WITHHELD, "percent")
    if not whole.value:
        return Figure(None, "none", "percent")
    percent = round(100 * part.value / whole.value)
    return Figure(percent, f"{percent}%", "percent")


def median_of_histogram(
    histogram: Mapping[int, int], unit: str = "", base: Figure | None = None
) -> Figure:
    """The median of values given as {value: how many}.

    Shown only when the number of values is published as a count of 8 or more
    (`base`, the published count of what the median is of): whether a median
    shows depends on nothing but published figures, so "withheld" for one
    period and a median for another tell nobody how many values there were.
    Without `base` (a test's histogram), the rule is on the values themselves.

    The lower median: with an even number of values the smaller middle one, so
    that it is always a value someone actually gave.
    """
    size = sum(histogram.values())
    known = base.value if base is not None else size
    if not size or known is None or known < THRESHOLD:
        return Figure(None, WITHHELD if size else "none", unit or "count")
    middle = (size + 1) // 2
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= middle:
            suffix = f" {unit}" if unit else ""
            return Figure(value, f"{value}{suffix}", unit or "count")
    raise AssertionError("unreachable: the histogram has values")
