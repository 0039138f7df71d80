"""Step 4 in a real browser: the team lead opens the dashboard from the menu,
changes the period, downloads the CSV; axe checks each state."""

import re
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboards import rollup
from tests.dashboards.conftest import meet
from tests.factories import NetworkFactory


def test_the_team_lead_reads_the_dashboard_and_downloads_it(
    page: Page, live_server, team, team_lead, author, colleague, sign_in, axe_check, browser_errors
):
    network = NetworkFactory(team=team, reference="Rowan", opened_on=date(2020, 1, 1))
    now = timezone.now()
    for day in range(12):
        meet(network, now - timedelta(days=day * 7 + 1), peers=[author], professionals=[colleague])
    rollup.refresh()
    sign_in(page, team_lead)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Role clarity dashboard")
    expect(page.get_by_role("heading", name="Continuity of the core practitioners")).to_be_visible()
    expect(page.get_by_role("table", name="Meetings with a peer present, by month")).to_be_visible()
    axe_check(page)

    page.get_by_role("group", name="Period").get_by_label("Last 3 months").check()
    page.get_by_role("button", name="Show the figures").click()
    expect(page).to_have_url(re.compile(r"/dashboards/\?.*period=3"))
    rows = page.get_by_role("table", name="Meetings with a peer present, by month").locator(
        "tbody tr"
    )
    expect(rows).to_have_count(3)
    axe_check(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("role-clarity-riverside-")
    content = Path(download.path()).read_text(encoding="utf-8")
    # The tidy CSV: one header row, then one row per (month, measure, figure).
    header, *rows = content.splitlines()
    assert header.startswith("team,period_start,period_end,month,measure,figure,count")
    assert any(",whole period,peer-present,Network meetings," in row for row in rows)
