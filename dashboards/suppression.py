"""Disclosure control, in one place, for the page, the charts and every download.

The method is the one UK official statistics use for small counts (for example
the ONS and NHS England's small-numbers guidance): **suppress, then round**.

- A count of 0 shows as 0: nobody is in it.
- A count from 1 to 7 shows as "fewer than 8" (suppressed).
- Every other count is rounded to the nearest 5 (8 shows as 10, 12 as 10, 13 as
  15), each figure on its own.
- A share is worked out from the *published* (rounded) counts, and withheld when
  its base is under 8 or the count it is a share of is suppressed. So a share
  tells nobody more than the two counts it is made of.
- Time is given in hours, rounded to the nearest 5 hours (a total above 0 shows
  as at least 5), and withheld when built on 1 to 7 records.
- A median built on fewer than 8 values is withheld.

Why rounding as well as suppression: suppression alone can be undone by
subtraction (a period's total minus the months shown gives the month hidden).
With every published count rounded, a difference of two published counts is
only known to within 4 either side, so the hidden value stays one of several
(tests/dashboards/test_disclosure.py tries every subtraction a team lead's
choices allow, on the demo data and on random small teams).

Every figure the dashboard shows is a `Figure` made here. Templates and the CSV
print `figure.text` or `figure.value`; charts draw `figure.value`, which is None
for anything suppressed or withheld, so a chart never shows what the table does
not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 8
ROUND_TO = 5
HOURS_ROUND_TO = 5
FEWER_THAN = f"fewer than {THRESHOLD}"
WITHHELD = "withheld"
WITHHELD_NOTE = f"Withheld: built on fewer than {THRESHOLD}."
METHOD = (
    f"Counts from 1 to {THRESHOLD - 1} show as “{FEWER_THAN}”; every other count is "
    f"rounded to the nearest {ROUND_TO}, and hours to the nearest {HOURS_ROUND_TO}. "
    "Shares are worked out from the rounded counts, and withheld when they rest on "
    f"fewer than {THRESHOLD}."
)


@dataclass(frozen=True)
class Figure:
    """A number as the dashboard may show it."""

    value: float | int | None  # None when suppressed or withheld
    text: str
    # What value is in, for the CSV's column names: "count", "percent", "hours",
    # or a median's unit ("days").
    unit: str = "count"

    @property
    def shown(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return self.text


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def rounded(number: int, base: int = ROUND_TO) -> int:
    """`number` to the nearest multiple of `base`, halves up (exact: no floats)."""
    return (number + base // 2) // base * base


def count(number: int) -> Figure:
    """A count of people, meetings, notes or sessions, as it may be published."""
    if is_small(number):
        return Figure(None, FEWER_THAN)
    published = rounded(number)
    return Figure(published, f"{published:,}")


def share(part: int, base: int) -> Figure:
    """part / base as a whole percentage of the published counts, or withheld."""
    if base < THRESHOLD or is_small(part):
        return Figure(None, WITHHELD if base else "none", "percent")
    percent = round(100 * rounded(part) / rounded(base))
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


def hours_share(part: Figure, whole: Figure) -> Figure:
    """One published time as a share of another (both from `hours`)."""
    if part.value is None or whole.value is None:
        return Figure(None, WITHHELD, "percent")
    if not whole.value:
        return Figure(None, "none", "percent")
    percent = round(100 * part.value / whole.value)
    return Figure(percent, f"{percent}%", "percent")


def median_of_histogram(histogram: Mapping[int, int], unit: str = "") -> Figure:
    """The median of values given as {value: how many}, withheld under 8 values.

    The lower median: with an even number of values the smaller middle one, so
    that it is always a value someone actually gave.
    """
    size = sum(histogram.values())
    if size < THRESHOLD:
        return Figure(None, WITHHELD if size else "none", unit or "count")
    middle = (size + 1) // 2
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= middle:
            suffix = f" {unit}" if unit else ""
            return Figure(value, f"{value}{suffix}", unit or "count")
    raise AssertionError("unreachable: the histogram has values")
