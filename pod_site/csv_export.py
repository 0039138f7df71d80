"""CSV for spreadsheets, without live formulas: every CSV the app writes uses this.

A spreadsheet treats a cell starting with =, +, -, @, a tab or a carriage
return as a formula ("CSV injection": a team named `=HYPERLINK(...)` would
become a link, or worse). Following OWASP, such a text cell gets a leading
apostrophe, which spreadsheets show as text. The rule is on the type the
writer is given: a number (int, float, Decimal) stays a number, negative ones
included, because the program made it and it cannot hold a formula; text that
happens to look like a negative number ("-3") is text and gets the apostrophe.
Views give numbers as numbers when they mean them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, bool):  # a bool is an int; write it as text
        return str(value)
    if isinstance(value, int | float | Decimal) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer's writerow and writerows, with every cell through safe_cell."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(csv.writer(file, **kwargs))
