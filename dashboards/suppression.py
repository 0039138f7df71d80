"""The small-numbers rule, in one place, for the page, the charts and the CSV.

- A count from 1 to 7 shows as "fewer than 8". 0 shows as 0: nobody is in it.
- A share is withheld when its base is under 8, or when the count it is a share
  of is itself suppressed (a share of a known base would give the count back).
- A median, or a total of minutes, built on fewer than 8 values is withheld.

Every figure the dashboard shows is a `Figure` made here. Templates and the CSV
print `figure.text`; charts draw `figure.value`, which is None for anything
suppressed or withheld, so a chart can never show what the table does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 8
FEWER_THAN = f"fewer than {THRESHOLD}"
WITHHELD = "withheld"
WITHHELD_NOTE = f"Withheld: built on fewer than {THRESHOLD}."


@dataclass(frozen=True)
class Figure:
    """A number as the dashboard may show it."""

    value: float | int | None  # None when suppressed or withheld
    text: str

    @property
    def shown(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return self.text


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def count(number: int) -> Figure:
    if is_small(number):
        return Figure(None, FEWER_THAN)
    return Figure(number, f"{number:,}")


def share(part: int, base: int) -> Figure:
    """part / base as a percentage, or withheld."""
    if base < THRESHOLD or is_small(part):
        return Figure(None, WITHHELD if base else "none")
    percent = round(100 * part / base)
    return Figure(percent, f"{percent}%")


def total(amount: int, records: int, unit: str = "") -> Figure:
    """A sum (of minutes) over some records: withheld when built on 1 to 7 of them."""
    if is_small(records):
        return Figure(None, WITHHELD)
    suffix = f" {unit}" if unit else ""
    return Figure(amount, f"{amount:,}{suffix}")


def median_of_histogram(histogram: Mapping[int, int], unit: str = "") -> Figure:
    """The median of values given as {value: how many}, withheld under 8 values.

    The lower median: with an even number of values the smaller middle one, so
    that it is always a value someone actually gave.
    """
    size = sum(histogram.values())
    if size < THRESHOLD:
        return Figure(None, WITHHELD if size else "none")
    middle = (size + 1) // 2
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= middle:
            suffix = f" {unit}" if unit else ""
            return Figure(value, f"{value}{suffix}")
    raise AssertionError("unreachable: the histogram has values")
