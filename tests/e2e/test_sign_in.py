"""Signing in, in a real browser: redirects, focus, keyboard, small screens, axe."""

import re

from playwright.sync_api import Page, expect

from teams.models import Role
from tests.factories import PASSWORD, MembershipFactory


def test_a_person_is_asked_to_sign_in_and_reaches_my_practice(
    page: Page, live_server, author, axe_check
):
    page.goto(live_server.url + "/")

    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page)

    page.get_by_label("Email").fill(author.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My practice")
    expect(page.get_by_text("Signed in as author@example.org")).to_be_visible()
    axe_check(page)


def test_a_supervisor_who_leads_lands_on_the_inbox_and_switches_roles(
    page: Page, live_server, team, supervisor, sign_in, axe_check
):
    MembershipFactory(user=supervisor, team=team, role=Role.TEAM_LEAD)

    sign_in(page, supervisor)

    expect(page).to_have_url(live_server.url + "/supervision/")
    roles = page.get_by_role("navigation", name="Your roles")
    expect(roles.get_by_role("link", name="Supervision inbox")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("Log other work")).to_have_count(0)
    axe_check(page)
    roles.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(live_server.url + "/dashboards/")
    expect(page.get_by_role("navigation", name="Your roles")).to_be_visible()


def test_the_page_styles_and_scripts_load(page: Page, live_server):
    page.goto(live_server.url + "/accounts/login/")

    # Set by static/js/app.js once nhsuk-frontend's module has loaded; a missing
    # file would also show as a console error, which fails the test.
    expect(page.locator("body")).to_have_class("js-enabled nhsuk-frontend-supported")
    header_colour = page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour == "rgb(0, 94, 184)"  # NHS blue, from the design system's CSS


def test_a_wrong_password_shows_an_error_summary_that_takes_focus(
    page: Page, live_server, author, axe_check
):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(author.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: Sign in\b"))
    focus_in_summary = "() => !!document.activeElement.closest('.nhsuk-error-summary')"
    page.wait_for_function(focus_in_summary)
    axe_check(page)


def test_the_sign_in_helper_signs_a_person_in(page: Page, author, sign_in):
    sign_in(page, author)

    expect(page.get_by_role("heading", level=1)).to_have_text("My practice")


def test_the_sign_in_page_fits_a_small_phone(phone: Page, live_server, axe_check):
    phone.goto(live_server.url + "/accounts/login/")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert phone.evaluate("document.documentElement.clientWidth") == 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(phone)


def test_the_first_tab_reaches_the_skip_link(page: Page, live_server):
    page.goto(live_server.url + "/accounts/login/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # visually hidden until it has focus
    skip_link.press("Enter")
    expect(page).to_have_url(live_server.url + "/accounts/login/#maincontent")
