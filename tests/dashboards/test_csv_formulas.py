"""CSV exports never carry a live spreadsheet formula (OWASP "CSV injection").

Every CSV the app writes goes through pod_site/csv_export.py: a text cell that
starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
so a spreadsheet shows it as text. Numbers the writer knows are numbers
(int, float, Decimal) stay numbers, negative ones included.
"""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pod_site.csv_export import csv_writer, safe_cell

pytestmark = pytest.mark.django_db

DANGEROUS = ["=1+2", "+1", "-1+cmd", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_cell_that_could_be_a_formula_becomes_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Riverside", "", "12", "50%", "fewer than 8", " =x", "a=b"])
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, 0, 12, -2.5, Decimal("-1.25")])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


def test_the_writer_neutralises_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer).writerow(["=cmd", -3, "-3", "ok"])

    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=cmd", "-3", "'-3", "ok"]


def test_a_team_named_like_a_formula_is_text_in_the_dashboard_csv(login, team, team_lead):
    team.name = '=HYPERLINK("http://evil.example","Click")'
    team.save()

    response = login(team_lead).get(reverse("dashboards:export"), {"period": "3"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[1][0] == "'" + team.name  # the team column, under the one header row
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r"


def test_no_csv_is_written_except_through_the_safe_writer():
    root = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.parts[len(root.parts)] not in {".venv", "tests", "var", "node_modules"}
        and path.relative_to(root) != Path("pod_site/csv_export.py")
        and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]

    assert offenders == []
