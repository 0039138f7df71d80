"""Markup the Nu HTML Checker refuses, kept out of every template, including pages
the crawl (tests/e2e/test_crawl.py) does not reach."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(
    path
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*")
    if path.suffix in {".html", ".txt", ".js"} and path.is_file()
)

# htmx reads data-hx-*; a bare hx-* attribute is not valid HTML.
BARE_HTMX = re.compile(r"(?<![\w-])hx-[a-z-]+=")
# A datetime with microseconds: HTML allows at most three digits of a second.
ISO_WITH_MICROSECONDS = re.compile(r"""\|date:["']c["']""")
# ARIA table roles on the cells of a real table (the NHS "responsive table"):
# a <table> already has those semantics.
ROLE_ON_CELL = re.compile(r"""<(?:thead|tbody|tr|th|td)\b[^>]*\brole=""")


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (BARE_HTMX, "use data-hx-* (htmx reads both; only data-* is valid HTML)"),
        (ISO_WITH_MICROSECONDS, r"use |date:'Y-m-d\TH:i:sO' (no fractions of a second)"),
        (ROLE_ON_CELL, "no ARIA table roles on a table's rows and cells"),
    ],
    ids=["bare-hx", "date-c", "role-on-cell"],
)
def test_no_template_has_invalid_markup(pattern, why):
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()[:120]}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert TEMPLATES and not found, f"{why}:\n" + "\n".join(found)
