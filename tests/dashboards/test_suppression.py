"""The small-numbers rule, and its boundary: 7 is suppressed, 8 is shown."""

from datetime import date

import pytest

from dashboards import dashboard, rollup, suppression
from dashboards.queries import Period
from tests.dashboards.conftest import at, meet
from tests.factories import NetworkFactory


def test_counts_from_1_to_7_show_as_fewer_than_8():
    assert suppression.count(0).text == "0"
    assert suppression.count(1).text == "fewer than 8"
    assert suppression.count(7).text == "fewer than 8"
    assert suppression.count(7).value is None
    assert suppression.count(8).text == "8"
    assert suppression.count(1234).text == "1,234"


def test_shares_built_on_fewer_than_8_are_withheld():
    assert suppression.share(7, 7).text == "withheld"
    assert suppression.share(8, 8).text == "100%"
    assert suppression.share(0, 8).text == "0%"
    # A share of a suppressed count would give the count back.
    assert suppression.share(3, 100).text == "withheld"
    assert suppression.share(0, 0).text == "none"


def test_medians_and_totals_built_on_fewer_than_8_are_withheld():
    assert suppression.median_of_histogram({1: 3, 2: 4}).text == "withheld"
    assert suppression.median_of_histogram({0: 3, 2: 4, 4: 1}).text == "2"
    assert suppression.median_of_histogram({0: 4, 3: 4}).text == "0"  # the lower median
    assert suppression.median_of_histogram({}).text == "none"
    assert suppression.total(300, 7, "min").text == "withheld"
    assert suppression.total(300, 8, "min").text == "300 min"


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
    csv_text = b"".join(client.get("/dashboards/export.csv" + query).streaming_content).decode()
    assert "Network meetings,Whole period,fewer than 8" in csv_text

    meet(network, at(1, 8), peers=[author])
    rollup.refresh()
    eight = dashboard.build([team.pk], period).sections[0]
    assert [(label, f.text) for label, f in eight.figures] == [
        ("Network meetings", "8"),
        ("With a peer present", "8"),
        ("Share with a peer present", "100%"),
    ]
    assert len(eight.line_chart.segments) == 1
    page = client.get("/dashboards/" + query).content.decode()
    assert "100%" in page
    csv_text = b"".join(client.get("/dashboards/export.csv" + query).streaming_content).decode()
    assert "Network meetings,Whole period,8" in csv_text
    assert "Share with a peer present,Whole period,100%" in csv_text
