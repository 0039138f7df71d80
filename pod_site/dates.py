"""Sensible ranges for the dates people type, so 0001-01-01 or 9999-12-31 is
refused with a clear message rather than stored. Each form (and the model's
clean where there is one) names its range; docs/security.md lists them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError


def shift_years(day: date, years: int) -> date:
    """The same day `years` later (earlier if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_range(
    value: date | None,
    *,
    earliest: date | None = None,
    latest: date | None = None,
    too_early: str = "",
    too_late: str = "",
) -> None:
    if value is None:
        return
    if earliest is not None and value < earliest:
        raise ValidationError(too_early, code="too_early")
    if latest is not None and value > latest:
        raise ValidationError(too_late, code="too_late")
