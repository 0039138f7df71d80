"""Saving is honest, and an ended session never loses text (static/js/autosave.js,
static/js/session.js, static/js/unsaved.js).

The status line under the reflection form says "Draft saved" only when the
server stored the latest text; a failed save says "Not saved" and tries again;
an ended session opens a sign-in dialog on the page; leaving with unsaved text
asks first.

Some tests make the autosave fail on purpose (a routed 500, an aborted request,
a 401): the browser logs those as failed resources, which the browser_errors
fixture would count as problems, so each such test forgets the autosave's own
problems at its end (`forget_autosave_problems`), and nothing else.
"""

import contextlib
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Dialog, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from reflections.models import Reflection, Status
from security.mfa import has_totp, must_use_mfa
from supervision.models import Response, Share
from teams.models import SupervisionLink
from tests.factories import PASSWORD, ReflectionFactory
from tests.totp import activate_totp, secret_of, totp_code

AUTOSAVE = re.compile(r"/reflections/\d+/autosave/$")
# Debounce (3 s) + a backoff step or two + the request: generous, not slow.
SAVE_TIMEOUT_MS = 20_000


@pytest.fixture
def draft(author, meeting) -> Reflection:
    return Reflection.objects.create(author=author, meeting=meeting)


@pytest.fixture
def editor(page: Page, live_server, sign_in, author, draft) -> Page:
    """The draft's edit page, signed in as its author, with autosave wired up."""
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    # A test types faster than a person: wait for the module to take the form.
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    return page


def status(page: Page):
    return page.locator("#autosave-status")


def text_field(page: Page):
    return page.get_by_label("What happened between us")


def forget_autosave_problems(browser_errors, page: Page) -> None:
    """Forget the failed autosave requests this test caused on purpose.

    The pages close first, so that no retry fails after the problems are read.
    """
    for open_page in page.context.pages:
        open_page.close()
    browser_errors.problems = [p for p in browser_errors.problems if "/autosave/" not in p]


def stored_text(draft: Reflection) -> str:
    draft.refresh_from_db()
    return draft.text


def end_every_session() -> None:
    # The database session backend (settings: no SESSION_ENGINE, so Django's
    # default): deleting the rows ends every session, as the idle timeout does.
    Session.objects.all().delete()


def sign_in_in_dialog(page: Page, user) -> None:
    frame = page.frame_locator("dialog iframe")
    frame.get_by_label("Email").fill(user.email)
    frame.get_by_label("Password", exact=True).fill(PASSWORD)
    frame.get_by_role("button", name="Sign in").click()
    if must_use_mfa(user):
        secret = secret_of(user) if has_totp(user) else activate_totp(user)
        code = frame.get_by_label("Code")
        code.fill(totp_code(secret))
        frame.get_by_role("button", name="Continue").click()
        # The same 30-second period as the first sign-in: that code was used
        # (allauth refuses a replay). Wait for the next one.
        refused = frame.locator(".nhsuk-error-summary")
        with contextlib.suppress(PlaywrightTimeoutError):
            refused.wait_for(timeout=2_000)
            time.sleep(31 - time.time() % 30)
            frame.get_by_label("Code").fill(totp_code(secret))
            frame.get_by_role("button", name="Continue").click()


def test_a_server_error_says_not_saved_and_saves_on_retry(editor: Page, draft, browser_errors):
    page = editor
    page.route(
        AUTOSAVE,
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<h1>Server error</h1>"
        ),
    )

    text_field(page).fill("Mum spoke first today.")

    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Trying again in")
    expect(status(page)).not_to_contain_text("Draft saved")
    expect(text_field(page)).to_have_value("Mum spoke first today.")
    assert stored_text(draft) == ""

    page.unroute(AUTOSAVE)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "Mum spoke first today."
    forget_autosave_problems(browser_errors, page)


def test_a_dropped_connection_says_not_saved_and_saves_once_it_is_back(
    editor: Page, draft, browser_errors
):
    page = editor
    page.route(AUTOSAVE, lambda route: route.abort("connectionreset"))

    text_field(page).fill("The brother's silence said a lot.")

    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("could not be reached")
    assert stored_text(draft) == ""

    page.unroute(AUTOSAVE)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "The brother's silence said a lot."
    forget_autosave_problems(browser_errors, page)


def test_offline_waits_and_saves_at_once_when_connected(editor: Page, draft, browser_errors):
    page = editor
    page.context.set_offline(True)

    text_field(page).fill("Written on the train.")
    text_field(page).blur()

    expect(status(page)).to_contain_text("Offline: will save when connected.")
    assert stored_text(draft) == ""

    page.context.set_offline(False)
    # On `online` it saves at once: well inside the debounce and backoff times.
    expect(status(page)).to_contain_text("Draft saved at", timeout=5_000)
    assert stored_text(draft) == "Written on the train."
    forget_autosave_problems(browser_errors, page)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(403, "refused"), (502, "could not be reached")],
)
def test_a_refusal_or_a_bad_gateway_says_not_saved(
    editor: Page, draft, browser_errors, code, reason
):
    page = editor
    page.route(
        AUTOSAVE,
        lambda route: route.fulfill(status=code, content_type="text/html", body="<p>No.</p>"),
    )

    text_field(page).fill("I told Mum her fear made sense.")

    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text(reason)
    expect(status(page)).to_contain_text(f"error {code}")
    expect(text_field(page)).to_have_value("I told Mum her fear made sense.")
    assert stored_text(draft) == ""
    forget_autosave_problems(browser_errors, page)


def test_an_ended_session_signs_in_again_in_a_dialog_and_saves_everything(
    editor: Page, draft, author, browser_errors, axe_check
):
    page = editor
    text_field(page).fill("Mum spoke first today.")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    end_every_session()
    text_field(page).press_sequentially(" Then the brother.")

    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    expect(dialog).to_contain_text("still on this page")
    expect(status(page)).to_contain_text("Not saved")
    # Focus goes into the dialog.
    assert page.evaluate("document.querySelector('dialog').contains(document.activeElement)")
    expect(page.frame_locator("dialog iframe").get_by_label("Email")).to_be_visible()
    axe_check(page)

    sign_in_in_dialog(page, author)

    expect(dialog).to_be_hidden(timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "Mum spoke first today. Then the brother."
    forget_autosave_problems(browser_errors, page)


def test_the_twelve_hour_limit_passing_mid_draft_never_leaves_the_editor(
    editor: Page, draft, author, settings, browser_errors
):
    # Step 7, fault 3: when SESSION_MAX_AGE passed, the next autosave answered
    # with a redirect to the sign-in page and the tab left the editor.
    page = editor
    editor_url = page.url
    text_field(page).fill("Written in the eleventh hour.")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    twelve_hours = settings.SESSION_MAX_AGE
    settings.SESSION_MAX_AGE = 1  # the live server runs in this process
    time.sleep(1.2)

    text_field(page).press_sequentially(" And one more line.")

    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    assert page.url == editor_url  # still on the editor, text on screen
    expect(text_field(page)).to_have_value("Written in the eleventh hour. And one more line.")
    settings.SESSION_MAX_AGE = twelve_hours
    sign_in_in_dialog(page, author)

    expect(dialog).to_be_hidden(timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert page.url == editor_url
    assert stored_text(draft) == "Written in the eleventh hour. And one more line."
    forget_autosave_problems(browser_errors, page)


def test_the_dialog_closes_with_escape_and_the_status_still_says_not_saved(
    editor: Page, draft, browser_errors
):
    page = editor
    end_every_session()
    text_field(page).fill("Before the meeting I felt unsure.")

    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(status(page)).to_contain_text("Not saved")
    expect(status(page)).to_contain_text("signed out")

    # The status line offers the dialog again; its Close button closes it.
    status(page).get_by_role("button", name="Sign in again").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(text_field(page)).to_have_value("Before the meeting I felt unsure.")
    forget_autosave_problems(browser_errors, page)


def test_signing_in_in_another_tab_lets_the_waiting_save_through(
    editor: Page, draft, author, sign_in, browser_errors
):
    page = editor
    text_field(page).fill("First thoughts.")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    end_every_session()
    text_field(page).press_sequentially(" Second thoughts.")
    expect(page.get_by_role("dialog", name="Sign in again to save")).to_be_visible(
        timeout=SAVE_TIMEOUT_MS
    )
    expect(status(page)).to_contain_text("Not saved")

    other_tab = page.context.new_page()
    sign_in(other_tab, author)

    # Back to the first tab: it asks whether the browser is signed in again.
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")

    expect(page.get_by_role("dialog")).to_be_hidden(timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "First thoughts. Second thoughts."
    forget_autosave_problems(browser_errors, page)


def test_a_refused_csrf_token_is_renewed_silently(editor: Page, draft, browser_errors):
    page = editor
    # As after a sign-in elsewhere rotated the token: the page's copy is stale.
    page.evaluate(
        "for (const input of document.querySelectorAll('input[name=csrfmiddlewaretoken]'))"
        " input.value = 'x'.repeat(64)"
    )

    text_field(page).fill("Still here.")

    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "Still here."
    forget_autosave_problems(browser_errors, page)


def test_a_note_changed_in_another_tab_is_not_overwritten(
    editor: Page, draft, live_server, browser_errors
):
    page = editor
    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    expect(other_tab.locator("form[data-autosave-ready]")).to_have_count(1)
    text_field(other_tab).fill("Written in the other tab.")
    expect(status(other_tab)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    page.bring_to_front()
    text_field(page).fill("Written in this tab.")

    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("another tab or window")
    assert stored_text(draft) == "Written in the other tab."

    status(page).get_by_role("button", name="Compare the two versions").click()
    expect(page.locator(".app-conflict")).to_contain_text("Written in the other tab.")
    expect(page.locator(".app-conflict")).to_contain_text("Written in this tab.")
    assert stored_text(draft) == "Written in the other tab."
    forget_autosave_problems(browser_errors, page)
    # The page with both versions answers 409, which the browser logs.
    browser_errors.problems = [
        p for p in browser_errors.problems if "status of 409 (Conflict)" not in p
    ]


def test_leaving_with_unsaved_text_asks_first(editor: Page, draft, browser_errors):
    page = editor
    # Every autosave fails, so the text stays unsaved. (The route stays until
    # the page closes: a request let through after the test would reach the
    # server while the database is being flushed.)
    page.route(AUTOSAVE, lambda route: route.abort())
    editor_url = page.url
    text_field(page).press_sequentially("Not yet saved.")

    dialogs: list[Dialog] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog))  # browser_errors dismisses it
    page.get_by_role("link", name="My practice").first.click(no_wait_after=True)

    deadline = time.monotonic() + 5
    while not dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert [d.type for d in dialogs] == ["beforeunload"]
    assert page.url == editor_url
    expect(text_field(page)).to_have_value("Not yet saved.")
    # Closed without asking (as a test may): no retry can fail after the filter below.
    page.close()
    # The one problem this test means: the question before leaving.
    assert any(p.startswith("beforeunload dialog") for p in browser_errors.problems)
    browser_errors.problems = [
        p for p in browser_errors.problems if not p.startswith("beforeunload dialog")
    ]
    forget_autosave_problems(browser_errors, page)


def test_leaving_after_the_text_is_saved_does_not_ask(editor: Page, draft):
    page = editor
    text_field(page).press_sequentially("Saved before leaving.")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    page.get_by_role("link", name="My practice").first.click()

    expect(page).not_to_have_url(re.compile(r"/edit/$"))
    # browser_errors fails the test at teardown if a dialog opened.


def test_the_sign_in_dialog_fits_a_phone(
    phone: Page, live_server, sign_in, author, draft, browser_errors
):
    page = phone
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    end_every_session()
    text_field(page).fill("On the bus home.")

    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    expect(dialog.get_by_role("button", name="Close")).to_be_visible()
    expect(page.frame_locator("dialog iframe").get_by_label("Email")).to_be_visible()
    forget_autosave_problems(browser_errors, page)


def test_an_htmx_form_sent_after_the_session_ended_keeps_its_text_and_is_sent_again(
    page: Page, live_server, author, supervisor, sign_in, browser_errors
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = ReflectionFactory(author=author, status=Status.FINAL, finished_at=timezone.now())
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    sign_in(page, supervisor)
    page.goto(live_server.url + share.get_absolute_url())
    page.wait_for_load_state()  # htmx must have wired the form up
    response_field = page.locator("#thread [name=text]")
    response_field.fill("Let's talk about the silence.")

    end_every_session()
    page.get_by_role("button", name="Send response").click()

    # 401: nothing swapped, the dialog opens, the text is still in the form.
    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible()
    expect(response_field).to_have_value("Let's talk about the silence.")
    assert not Response.objects.exists()

    sign_in_in_dialog(page, supervisor)
    expect(dialog).to_be_hidden(timeout=SAVE_TIMEOUT_MS)
    expect(page.locator(".app-resend-notice")).to_contain_text("send it again")

    page.get_by_role("button", name="Send response").click()
    expect(page.locator("#thread")).to_contain_text("Let's talk about the silence.")
    assert Response.objects.get().text == "Let's talk about the silence."
    # The refused request (401) is logged by the browser as a failed resource.
    browser_errors.problems = [p for p in browser_errors.problems if "/respond/" not in p]


# Faults a first try by a new user found (fresh eyes, step 7) -----------------


def wait_for_dialog(page: Page, dialogs: list) -> None:
    deadline = time.monotonic() + 5
    while not dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(100)


def forget_leave_question(browser_errors) -> None:
    browser_errors.problems = [
        p for p in browser_errors.problems if not p.startswith("beforeunload dialog")
    ]


def test_pressing_save_draft_offline_keeps_the_page_and_the_text(
    editor: Page, draft, browser_errors
):
    page = editor
    editor_url = page.url
    page.context.set_offline(True)
    text_field(page).fill("Written on the bus home.")

    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("alert").filter(has_text="You are offline")).to_be_visible()
    assert page.url == editor_url
    expect(text_field(page)).to_have_value("Written on the bus home.")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == "Written on the bus home."
    forget_autosave_problems(browser_errors, page)


def test_the_page_with_both_versions_asks_before_leaving(
    editor: Page, draft, live_server, browser_errors
):
    page = editor
    Reflection.objects.filter(pk=draft.pk).update(text="Saved elsewhere.", revision=2)
    text_field(page).fill("Written here.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".app-conflict")).to_contain_text("Saved elsewhere.")
    compare_url = page.url

    dialogs: list[Dialog] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog))
    page.get_by_role("link", name="My practice").first.click(no_wait_after=True)
    wait_for_dialog(page, dialogs)

    assert [d.type for d in dialogs] == ["beforeunload"]
    assert page.url == compare_url
    page.close()
    forget_leave_question(browser_errors)
    browser_errors.problems = [
        p for p in browser_errors.problems if "status of 409 (Conflict)" not in p
    ]


def test_escape_in_the_sign_in_form_closes_the_dialog(editor: Page, draft, browser_errors):
    page = editor
    end_every_session()
    text_field(page).fill("Before the meeting.")
    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)

    email = page.frame_locator("dialog iframe").get_by_label("Email")
    email.click()
    email.press("Escape")

    expect(dialog).to_be_hidden()
    expect(status(page)).to_contain_text("Not saved")
    forget_autosave_problems(browser_errors, page)


def test_signing_in_as_someone_else_saves_nothing_and_says_so(
    editor: Page, draft, colleague, browser_errors
):
    page = editor
    end_every_session()
    text_field(page).fill("Alex's own words.")
    expect(page.get_by_role("dialog", name="Sign in again to save")).to_be_visible(
        timeout=SAVE_TIMEOUT_MS
    )

    sign_in_in_dialog(page, colleague)

    expect(status(page)).to_contain_text("signed in as a different person", timeout=SAVE_TIMEOUT_MS)
    expect(
        status(page).get_by_role("button", name="Sign in as the person who wrote it")
    ).to_be_visible()
    expect(text_field(page)).to_have_value("Alex's own words.")
    assert stored_text(draft) == ""
    forget_autosave_problems(browser_errors, page)
