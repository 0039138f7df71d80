"""Stored XSS in a real browser: every attack string, every page, no script runs.

All payloads go into every free-text field at once; the browser_errors fixture
fails the test if any dialog (alert, confirm, prompt) opens, and two payloads
would mark the body if they ran.
"""

from playwright.sync_api import Page

from tests.security.test_stored_xss import build_world, pages
from tests.security.xss_payloads import PAYLOADS

EVERY_PAYLOAD = "\n".join(PAYLOADS)


def test_no_attack_string_runs_on_any_page(
    page: Page, live_server, team, author, supervisor, sign_in, browser_errors
):
    world = build_world(EVERY_PAYLOAD, team, author, supervisor)
    signed_in = None
    for person, url, _ in pages(world, author, supervisor):
        if person != signed_in:
            page.context.clear_cookies()
            sign_in(page, person)
            signed_in = person
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert page.evaluate("document.body.dataset.xss") is None, url
        browser_errors.assert_none()
