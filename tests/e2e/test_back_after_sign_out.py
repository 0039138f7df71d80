"""Back after signing out shows the sign-in page, never a note (step 8, item 3).

Playwright starts Chromium with its back/forward cache switched off
(--disable-back-forward-cache); this test starts one with the cache on, as a
person's browser has it, and looks at what Back shows and what the tab keeps.
"""

import contextlib
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from reflections.models import Reflection, Status
from supervision.models import Share
from teams.models import SupervisionLink
from tests.e2e.conftest import ACTION_TIMEOUT_MS, DESKTOP

MARKER = "Marker-private-7f3a"


@pytest.fixture
def browser_with_bfcache(launch_browser) -> Browser:
    browser = launch_browser(ignore_default_args=["--disable-back-forward-cache"])
    yield browser
    browser.close()


@pytest.fixture
def page_with_bfcache(browser_with_bfcache: Browser, browser_errors) -> Page:
    context = browser_with_bfcache.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    browser_errors.watch(context)
    yield context.new_page()
    context.close()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    # Signed out lands on the sign-in page (an htmx history push is a
    # "navigation" too, so wait for the address, not for any navigation).
    page.wait_for_url(re.compile(r"/accounts/(login|logout)/"))
    # allauth asks to confirm when signing out from its own page.
    if "/accounts/logout/" in page.url:
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/accounts/login/"))


def storage_text(page: Page) -> str:
    return page.evaluate(
        "() => JSON.stringify({...sessionStorage}) + JSON.stringify({...localStorage})"
    )


@pytest.mark.parametrize("where", ["my note", "shared note", "my reflections"])
def test_back_after_signing_out_shows_no_note(
    page_with_bfcache: Page, live_server, author, supervisor, meeting, sign_in, where
):
    page = page_with_bfcache
    note = Reflection.objects.create(
        author=author, meeting=meeting, text=f"{MARKER} what happened", status=Status.FINAL
    )
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    person, path = {
        "my note": (author, f"/reflections/{note.pk}/"),
        "shared note": (supervisor, f"/supervision/shares/{share.pk}/"),
        "my reflections": (author, "/reflections/"),
    }[where]
    sign_in(page, person)
    page.goto(live_server.url + path)
    if where == "my reflections":
        # A search through htmx, which would keep a history snapshot.
        page.get_by_label("Search my notes").fill("what happened")
        # htmx has searched and pushed the address: Back has a snapshot to restore.
        expect(page).to_have_url(re.compile(r"q=what"))
        page.wait_for_load_state("networkidle")
    expect(page.get_by_text(MARKER).first).to_be_visible()

    sign_out(page)
    # Back may be replaced by a fresh load of the page (htmx's history miss, or
    # a page shown from the back/forward cache reloading itself): either way it
    # must end on the sign-in page.
    with contextlib.suppress(PlaywrightError):
        page.go_back()
    page.wait_for_url("**/accounts/login/**")
    page.wait_for_load_state()

    expect(page.get_by_text(MARKER)).to_have_count(0)
    assert MARKER not in page.content()
    assert MARKER not in storage_text(page)
    assert "/accounts/login/" in page.url
