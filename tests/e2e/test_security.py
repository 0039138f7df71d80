"""Security in a real browser: pages keep to the strict Content Security Policy
(Chromium enforcing it, unlike the other browser tests, whose contexts bypass it
so that axe can be injected), and the new security pages pass axe."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DESKTOP
from tests.factories import PASSWORD
from tests.totp import activate_totp

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def enforcing_page(browser: Browser, browser_errors) -> Page:
    """A page whose context enforces the CSP; a violation is a console error too."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=False)
    context.set_default_timeout(10_000)
    browser_errors.watch(context)
    context.add_init_script(RECORD_VIOLATIONS)
    yield context.new_page()
    context.close()


def assert_no_violation(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.cspViolations") == [], page.url


def test_the_pages_keep_to_the_content_security_policy(
    enforcing_page: Page, live_server, author, colleague, meeting, sign_in, browser_errors
):
    page = enforcing_page
    page.goto(live_server.url + "/accounts/login/")
    assert_no_violation(page)
    # The policy is enforced here: an inline style is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('style');"
        " s.textContent = 'body { color: red }'; document.head.append(s); }"
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.cspViolations")[0].startswith("style-src")
    page.evaluate("window.cspViolations = []")
    browser_errors.problems.clear()
    sign_in(page, author)
    assert_no_violation(page)
    assert page.evaluate("document.body.classList.contains('nhsuk-frontend-supported')")

    # htmx at work: the autosave posts and swaps the status line.
    page.get_by_role("button", name=re.compile("Reflect on this meeting")).click()
    page.wait_for_load_state()
    page.get_by_label("What happened between us").fill("Mum spoke first today.")
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    assert_no_violation(page)

    for path in [
        "/reflections/",
        "/networks/",
        "/supervision/",
        "/accounts/security/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/password/change/",
    ]:
        page.goto(live_server.url + path)
        assert_no_violation(page)

    # Setting up an authenticator app: the QR code is a data: image, allowed.
    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    assert_no_violation(page)
    browser_errors.assert_none()


def test_the_security_pages_are_accessible(
    page: Page, live_server, author, supervisor, sign_in, axe_check, browser_errors
):
    sign_in(page, author)
    for path, heading in [
        ("/accounts/security/", "Account security"),
        ("/accounts/2fa/", "Two-step verification"),
        ("/accounts/sessions/", "Where you are signed in"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)

    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    axe_check(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    axe_check(page)
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    axe_check(page)

    # The second step of signing in, for someone who has an authenticator app.
    page.get_by_role("button", name="Sign out").first.click()
    activate_totp(supervisor)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(supervisor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    axe_check(page)


def test_the_lockout_page_says_what_to_do(
    page: Page, live_server, author, axe_check, browser_errors
):
    for attempt in range(5):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(author.email)
        page.get_by_label("Password", exact=True).fill(f"wrong password {attempt}")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    expect(page.get_by_text("Wait 15 minutes, then try again.")).to_be_visible()
    axe_check(page)
    # The browser logs the 429 status as an error: expected here.
    browser_errors.problems = [p for p in browser_errors.problems if "429" not in p]
