"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live_server.

Fixtures for tests in this folder:
    page            a desktop page (1280x800) in a fresh browser context (pytest-playwright's)
    phone           a page 360 CSS pixels wide (740 high), touch, in its own context
    sign_in         sign_in(page, user) signs in through the real sign-in form (and,
                    for someone who must use MFA, with a code from their authenticator)
    axe_check       axe_check(page) fails on serious or critical WCAG 2.0/2.1 A/AA violations
    browser_errors  watches every context (page, phone, new_context()) and fails the test
                    at teardown when a page logged a console error (a 404 for a file
                    included), threw, opened a dialog or got a 5xx response;
                    browser_errors.assert_none() checks mid-test
    live_server     pytest-django's server, in this process; static files are served
                    from the finders, so no collectstatic is needed

Every test here starts with the rows the migrations seed (the principles), although
live_server tests are transactional and the database is flushed after each one.

Playwright's sync API keeps an asyncio loop running in the main thread while it is
started. So it is started for this folder only (package scope, not pytest-playwright's
session scope): later tests in the same run see no running loop.
"""

import os
import time
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    BrowserType,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    Response,
    WebError,
    sync_playwright,
)

from security.mfa import has_totp, must_use_mfa
from tests.factories import PASSWORD
from tests.totp import activate_totp, secret_of, totp_code

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Playwright's 30 s default is long for pages served from this process: fail fast.
ACTION_TIMEOUT_MS = 10_000

CHROMIUM_ARGS = [
    # CI and developers run as root, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    # No traffic but to the live server: no updates, sync or first-run pages.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

AXE_SCRIPT = files("axe_playwright_python") / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="package", autouse=True)
def _chromium_is_installed() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} is missing: browser tests use Debian's Chromium "
        "(apt-get install chromium; .ci/run installs it)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _cookies_over_http(settings) -> None:
    # Tests run with DEBUG off, so cookies are Secure; the live server is plain
    # http://localhost. live_server runs in a thread of this process, so it sees
    # these settings.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # SECURE_SSL_REDIRECT is off for the whole session (tests/conftest.py).


@pytest.fixture(autouse=True)
def _seeded_rows(django_db_serialized_rollback) -> None:
    # live_server tests are transactional: the flush after each one removes the
    # rows the migrations seed (the principles). pytest-django puts them back
    # before each test that asks for django_db_serialized_rollback.
    pass


# pytest-playwright's fixtures, re-scoped to this package (see the module docstring).


@pytest.fixture(scope="package")
def playwright(_chromium_is_installed, django_db_setup) -> Iterator[Playwright]:
    # Django refuses ORM calls from a thread with a running event loop; the test
    # thread has Playwright's. Allowed only while Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # With a running loop, asgiref's Local would also give this thread new
    # connection objects, without what pytest-django set on the ones it made
    # (the serialized rows for django_db_serialized_rollback). Keep the same ones.
    same_connections = {alias: connections[alias] for alias in connections}
    pw = sync_playwright().start()
    for alias, connection in same_connections.items():
        connections[alias] = connection
    try:
        yield pw
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Keeps pytest-playwright's --headed and --slowmo.
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict, browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**kwargs) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(pytestconfig, _pw_artifacts_folder) -> dict:
    args = {
        # axe is injected with a script tag, which a strict CSP would block.
        "bypass_csp": True,
        "viewport": DESKTOP,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args


class BrowserErrors:
    """What went wrong in the pages of a test: console errors, uncaught
    exceptions, dialogs (alert, confirm, prompt) and server errors."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        context.on("dialog", self._on_dialog)
        context.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = f" ({url})" if (url := message.location.get("url")) else ""
            self.problems.append(f"console error: {message.text}{where}")

    def _on_web_error(self, error: WebError) -> None:
        self.problems.append(f"uncaught error: {error.error}")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"{dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def expected_not_found(self, url: str) -> None:
        """Forget the console error of a page a test means to answer 404."""
        self.expected_status(404, url)

    def expected_status(self, status: int, url: str) -> None:
        """Forget the console errors of answers a test means to get: 4xx from `url`."""
        logged = f"status of {status} "
        self.problems = [
            problem
            for problem in self.problems
            if not (logged in problem and problem.endswith(f"({url})"))
        ]

    def assert_none(self) -> None:
        problems, self.problems = self.problems, []
        if problems:
            raise AssertionError("The browser saw problems:\n" + "\n".join(problems))


@pytest.fixture
def browser_errors() -> Iterator[BrowserErrors]:
    errors = BrowserErrors()
    yield errors
    errors.assert_none()


@pytest.fixture
def new_context(new_context, browser_errors: BrowserErrors):
    # Every context a test makes (page, phone or its own) is watched.
    def make(**kwargs) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        browser_errors.watch(context)
        return context

    return make


@pytest.fixture
def phone(new_context) -> Page:
    """A page the width of a small phone, in a context of its own."""
    context = new_context(is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def sign_in(live_server) -> Callable[..., Page]:
    """sign_in(page, user, password=PASSWORD): sign in through the form, as a person does."""

    def sign_in(page: Page, user, password: str = PASSWORD) -> Page:
        # Someone who must use MFA has an authenticator app and enters its code.
        secret = None
        if must_use_mfa(user):
            secret = secret_of(user) if has_totp(user) else activate_totp(user)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        for _ in range(2):
            if not (secret and "/accounts/2fa/authenticate/" in page.url):
                break
            if page.locator(".nhsuk-error-summary").count():
                # A second sign-in within one 30-second period: its code was used
                # already (allauth refuses a replay). Wait for the next code.
                time.sleep(31 - time.time() % 30)
            page.get_by_label("Code").fill(totp_code(secret))
            with page.expect_navigation():
                page.get_by_role("button", name="Continue").click()
        if "/accounts/login/" in page.url or "/accounts/2fa/" in page.url:
            summary = page.locator(".nhsuk-error-summary")
            detail = summary.inner_text() if summary.count() else page.title()
            raise AssertionError(f"{user.email} could not sign in: {detail}")
        return page

    return sign_in


@pytest.fixture
def axe_check() -> Callable[..., dict]:
    """axe_check(page, context=None): run axe-core on the page as it is now.

    Fails listing every serious or critical WCAG 2.0/2.1 A/AA violation; returns
    axe's results for any further assertion. `context` is axe's: a selector, or
    {"exclude": [...]}.
    """

    def axe_check(page: Page, context=None) -> dict:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_SCRIPT))
        results = page.evaluate(
            "([context, tags]) => axe.run(context || document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            [context, WCAG_A_AA],
        )
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            raise AssertionError(
                f"axe found problems on {page.url}:\n"
                + "\n".join(
                    f"- {v['id']} ({v['impact']}): {v['help']} {v['helpUrl']}\n"
                    + "\n".join(
                        f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"]
                    )
                    for v in blocking
                )
            )
        return results

    return axe_check
