"""Disclosure control, and its boundary: 7 is suppressed, 8 is shown (rounded to 10)."""

from datetime import date

import pytest

from dashboards import dashboard, rollup, suppression
from dashboards.queries import Period
from tests.dashboards.conftest import at, csv_table, meet, published
from tests.factories import NetworkFactory


def test_counts_from_1_to_7_show_as_fewer_than_8():
    assert suppression.count(0).text == "0"
    assert suppression.count(1).text == "fewer than 8"
    assert suppression.count(7).text == "fewer than 8"
    assert suppression.count(7).value is None
    assert suppression.count(8).text == "10"
    assert suppression.count(8).value == 10


@pytest.mark.parametrize(
    ("true", "published"),
    [(8, 10), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (1234, 1235), (1232, 1230)],
)
def test_every_other_count_is_rounded_to_the_nearest_5(true, published):
    assert suppression.count(true).value == published
    assert suppression.count(true).text == f"{published:,}"


def test_shares_built_on_fewer_than_8_are_withheld():
    assert suppression.share(7, 7).text == "withheld"
    assert suppression.share(8, 8).text == "100%"
    # From the published counts: 12 of 13 is 10 of 15.
    assert suppression.share(12, 13).text == "67%"
    assert suppression.share(0, 8).text == "0%"
    # A share of a suppressed count would give the count back.
    assert suppression.share(3, 100).text == "withheld"
    assert suppression.share(0, 0).text == "none"


def test_medians_and_totals_built_on_fewer_than_8_are_withheld():
    assert suppression.median_of_histogram({1: 3, 2: 4}).text == "withheld"
    assert suppression.median_of_histogram({0: 3, 2: 4, 4: 1}).text == "2"
    assert suppression.median_of_histogram({0: 4, 3: 4}).text == "0"  # the lower median
    assert suppression.median_of_histogram({}).text == "none"
    assert suppression.hours(300, 7).text == "withheld"
    assert suppression.hours(300, 8).text == "5 hours"
    assert suppression.hours(0, 0).text == "0 hours"
    # Above 0, at least 5 hours; otherwise to the nearest 5.
    assert suppression.hours(60, 8).text == "5 hours"
    assert suppression.hours(13 * 60, 8).text == "15 hours"
    assert suppression.hours(1000 * 60, 800).text == "1,000 hours"


@pytest.mark.django_db
def test_the_boundary_on_the_page_and_in_the_csv(login, team, team_lead, author):
    network = NetworkFactory(team=team, opened_on=date(2024, 1, 1))
    for day in range(1, 8):
        meet(network, at(1, day), peers=[author])
    rollup.refresh()
    period = Period(date(2025, 1, 1), date(2025, 1, 31))
    seven = dashboard.build([team.pk], period).sections[0]
    assert [(label, f.text) for label, f in seven.figures] == [
        ("Network meetings", "fewer than 8"),
        ("With a peer present", "fewer than 8"),
        ("Share with a peer present", "withheld"),
    ]
    # The chart draws nothing for a withheld month.
    assert seven.line_chart.segments == []
    client = login(team_lead)
    query = "?period=custom&start=2025-01&end=2025-01"
    rows = csv_table(client.get("/dashboards/export.csv" + query))
    assert published(rows, "peer-present", "whole period", "Network meetings") == {
        "status": "fewer than 8"
    }

    meet(network, at(1, 8), peers=[author])
    rollup.refresh()
    eight = dashboard.build([team.pk], period).sections[0]
    assert [(label, f.text) for label, f in eight.figures] == [
        ("Network meetings", "10"),
        ("With a peer present", "10"),
        ("Share with a peer present", "100%"),
    ]
    assert len(eight.line_chart.segments) == 1
    page = client.get("/dashboards/" + query).content.decode()
    assert "100%" in page
    rows = csv_table(client.get("/dashboards/export.csv" + query))
    assert published(rows, "peer-present", "whole period", "Network meetings") == {
        "count": "10",
        "status": "shown",
    }
    assert published(rows, "peer-present", "whole period", "Share with a peer present") == {
        "percent": "100",
        "status": "shown",
    }
