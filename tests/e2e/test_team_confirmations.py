"""A confirmation after a team page action is seen where the page opens.

Each action on the team page returns to its section (`/teams/<pk>/#people`), far
down a long page; the message used to stay at the top, out of sight, with focus
nowhere (found by a tester on the running app). static/js/app.js moves it just
above the section and focuses it.
"""

from playwright.sync_api import Page, expect

from teams.models import Role
from tests.factories import MembershipFactory, UserFactory


def test_saving_the_team_settings_is_confirmed_in_view(
    page: Page, live_server, team, team_lead, sign_in, axe_check, browser_errors
):
    # Enough people that the settings are far below the top of the page.
    for number in range(25):
        MembershipFactory(
            user=UserFactory(email=f"person{number}@example.org"),
            team=team,
            role=Role.PRACTITIONER,
        )
    sign_in(page, team_lead)
    page.goto(f"{live_server.url}/teams/{team.pk}/settings/")
    page.get_by_label("A shared note is overdue after (days)").fill("10")
    page.get_by_role("button", name="Save settings").click()

    message = page.get_by_text("Team settings saved.")
    expect(message).to_be_in_viewport()
    expect(page.locator(".app-messages")).to_be_focused()
    expect(page.get_by_role("heading", name="Team settings")).to_be_in_viewport()
    axe_check(page)
