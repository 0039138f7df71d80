"""Every page each demo persona can reach is valid, accessible HTML that fits a phone.

For each demo persona (devdata/demo.py, seeded here as `make run` seeds it),
signed in through the real form (with an authenticator code where MFA is
required), the crawl follows every link it finds within the site, breadth first
from the home page, and checks each page:

- it answers 200 (after any redirect);
- axe-core finds no WCAG 2.2 A or AA violation, at any impact, at 360 CSS
  pixels wide, and at 1280 on the first page of each route for each role;
- at 360 CSS pixels wide the page does not scroll sideways;
- the Nu HTML Checker (vnu-jar from npm, on the HTML the server sent; every
  page saved, then checked in one run at the end) finds no error.

Only links are followed (GET), and none that ends a session or changes or hands
out data: sign-out, delete, revoke, erase, export, download and the like; not
Django's admin either. Pages are grouped by their route (django.urls.resolve):
a list of 60 meetings costs a visit or two, not sixty.

CRAWL_PERSONAS=alex,ruth runs only the personas whose email starts so.

vnu needs `npm ci` (node_modules/vnu-jar; `make test` runs it) and Java 17 or
newer (.ci/run installs both when missing). Without either the test is skipped
locally, and fails in CI (CI=true).
"""

import json
import os
import shutil
import subprocess  # nosec B404 (runs the Nu HTML Checker, a fixed command)
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from playwright.sync_api import Page

from dashboards import rollup
from devdata.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo
from teams.models import User
from tests.e2e.conftest import AXE_SCRIPT, DESKTOP, PHONE

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Each persona sees every route it can reach at least once; a second page of a
# route (another note, another meeting) only while fewer than MAX_PER_ROUTE pages
# of it have been checked for that role: the demo's three peers (and three
# practitioners) see the same pages filled with different data.
MAX_PER_ROUTE = 2
MAX_PAGES = 80  # per persona: a safety net, far above what the demo reaches

# Routes never visited: they end the session, change or hand out data, or are
# not pages (files, JSON, the service worker). Matched on the route's name.
SKIPPED_ROUTES = {
    "account_logout",
    "end_session",
    "csrf_token",
    "signed_in_again",
    "pending_post_discard",
    "mfa_deactivate_totp",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "my_data",
    "reflections:export_markdown",
    "reflections:export_json",
    "reflections:discard",
    "reflections:restore_version",
    "supervision:revoke",
    "dashboards:export",
    "dashboards:research_export",
    "people:role_end",
    "people:link_end",
    "people:group_link_end",
    "people:invitation_resend",
    "people:invitation_withdraw",
    "people:principle_up",
    "service_worker",
    "web_manifest",
    "offline_session_tag",
    "healthz",
}
# Django's own admin (for the superuser; Django's markup, not the NHS design
# system's): not crawled.
SKIPPED_NAMESPACES = ("admin:",)
# ...and any path with one of these words, whatever its route.
SKIPPED_WORDS = (
    "logout",
    "sign-out",
    "delete",
    "revoke",
    "erase",
    "export",
    "download",
    "discard",
    "withdraw",
)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# How wide the page is, and (only when too wide) the first elements that stick out.
SCROLL_JS = """
(width) => {
  const scrollWidth = document.documentElement.scrollWidth;
  const wider = scrollWidth <= width ? [] : [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5
      && el.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  return {scrollWidth, innerWidth: window.innerWidth, wider};
}
"""


def _java_works() -> bool:
    java = shutil.which("java")
    if not java:
        return False
    done = subprocess.run([java, "-version"], capture_output=True, check=False)  # noqa: S603  # nosec B603
    return done.returncode == 0


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    """The command that runs the Nu HTML Checker; skips (fails in CI) without it."""
    problem = None
    if not VNU_JAR.exists():
        problem = f"{VNU_JAR} is missing: run `npm ci` (make test does)"
    elif not _java_works():
        problem = "java is missing: the Nu HTML Checker needs Java 17 (openjdk-17-jre-headless)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return [shutil.which("java") or "java", "-Xss8m", "-jar", str(VNU_JAR)]


@pytest.fixture
def demo(db) -> None:
    seed_demo()
    rollup.refresh()


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def is_skipped(path: str, route: str) -> bool:
    return (
        route in SKIPPED_ROUTES
        or route.startswith(SKIPPED_NAMESPACES)
        or any(word in path.lower() for word in SKIPPED_WORDS)
    )


def same_site_links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "(links) => links.map((link) => link.href)"
    )
    links = []
    for href in hrefs:
        url = urldefrag(href).url
        if url.startswith(origin + "/"):
            links.append(url[len(origin) :])
    return links


def axe_violations(page: Page, width: int) -> list[str]:
    """Every WCAG 2.2 A/AA violation axe finds, whatever its impact."""
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"at {width}px: axe {violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
    ]


def too_wide(page: Page) -> list[str]:
    scroll = page.evaluate(SCROLL_JS, PHONE["width"])
    if scroll["scrollWidth"] <= PHONE["width"]:
        return []
    return [f"{scroll['scrollWidth']}px wide at {PHONE['width']}px; too wide: {scroll['wider']}"]


def nu_errors(vnu: list[str], files: dict[Path, str]) -> list[tuple[str, str]]:
    """Every error the Nu HTML Checker finds in the files, in one run of it:
    (the file's label, 'line: message [extract]')."""
    if not files:
        return []
    done = subprocess.run(  # noqa: S603  # nosec B603 (a fixed command on files this test wrote)
        [*vnu, "--format", "json", "--errors-only", "--exit-zero-always", "--stdout", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise AssertionError(f"vnu did not run: {done.stderr[-2000:]}")
    # vnu names a file "file:/tmp/...": compare paths.
    labels = {str(path.resolve()): label for path, label in files.items()}
    errors = []
    for message in json.loads(done.stdout)["messages"]:
        url = message.get("url", "")
        label = labels.get(urlsplit(url).path, url)
        extract = (message.get("extract") or "").strip().replace("\n", " ")[:100]
        errors.append(
            (
                label,
                f"line {message.get('lastLine', '?')}: nu {message.get('type')}: "
                f"{message['message']} [{extract}]",
            )
        )
    return errors


class Crawl:
    """One persona's crawl: the pages saved for the Nu HTML Checker, and what
    was wrong in the browser."""

    def __init__(self, page: Page, origin: str, saved: Path, checked: Counter) -> None:
        self.page, self.origin, self.saved = page, origin, saved
        # Pages checked so far of each (role, route), shared by a role's personas.
        self.checked = checked
        self.files: dict[Path, str] = {}
        self.problems: list[str] = []

    def run(self, role: str) -> None:
        mine: Counter[str] = Counter()
        seen = {"/"}
        queue = deque(["/"])
        while queue and len(self.files) < MAX_PAGES:
            path = queue.popleft()
            route = route_of(urlsplit(path).path)
            if route is None or is_skipped(path, route) or mine[route] >= MAX_PER_ROUTE:
                continue
            if mine[route] and self.checked[role, route] >= MAX_PER_ROUTE:
                continue
            mine[route] += 1
            self.checked[role, route] += 1
            for link in self.visit(path, first_of_route=self.checked[role, route] == 1):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    def visit(self, path: str, first_of_route: bool) -> list[str]:
        """Check one page; returns the links on it."""
        page, origin = self.page, self.origin
        # Loaded at a phone's width: the header and tables lay out as on a phone.
        page.set_viewport_size(PHONE)
        response = page.goto(origin + path)
        final = page.url[len(origin) :] if page.url.startswith(origin) else page.url
        shown = path if final == path else f"{path} (→ {final})"
        if response is None or response.status != 200:
            self.problems.append(f"{shown}: status {response.status if response else 'none'}")
            return []
        if not response.headers.get("content-type", "").startswith("text/html"):
            return []
        file = self.saved / f"page-{len(self.files):03d}.html"
        file.write_bytes(response.body())
        self.files[file] = shown
        found = too_wide(page) + axe_violations(page, PHONE["width"])
        if first_of_route:
            # A desktop's layout too, once a route.
            page.set_viewport_size(DESKTOP)
            page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            found += axe_violations(page, DESKTOP["width"])
        self.problems += [f"{shown}: {problem}" for problem in found]
        return same_site_links(page, origin)


def test_every_page_each_persona_reaches_is_valid_and_accessible(
    vnu, demo, new_context, sign_in, live_server, browser_errors, tmp_path
):
    started = time.monotonic()
    checked: Counter = Counter()
    crawls: dict[str, Crawl] = {}
    only = [name for name in os.environ.get("CRAWL_PERSONAS", "").split(",") if name]
    people = [p for p in DEMO_PEOPLE if not only or p.email.startswith(tuple(only))]
    for index, person in enumerate(people):
        began = time.monotonic()
        context = new_context()
        # axe-core in every page before its own scripts (bypass_csp lets it run).
        context.add_init_script(path=str(AXE_SCRIPT))
        page = sign_in(context.new_page(), User.objects.get(email=person.email), DEMO_PASSWORD)
        saved = tmp_path / f"persona-{index}"
        saved.mkdir()
        crawl = crawls[person.email] = Crawl(page, live_server.url, saved, checked)
        crawl.run(role=person.role or "admin")
        context.close()
        assert len(crawl.files) >= 5, f"{person.email} reached only {list(crawl.files.values())}"
        print(
            f"\n{person.email}: {len(crawl.files)} pages in {time.monotonic() - began:.0f}s, "
            f"{len(crawl.problems)} problems in the browser",
            *crawl.problems,
            sep="\n  ",
        )
    browsed = time.monotonic()

    # One run of the checker for every page of every persona (it starts a JVM).
    labelled = {
        file: f"{email} {shown}"
        for email, crawl in crawls.items()
        for file, shown in crawl.files.items()
    }
    for label, error in nu_errors(vnu, labelled):
        email, _, shown = label.partition(" ")
        crawls[email].problems.append(f"{shown}: {error}")
    print(
        f"\ncrawl: {len(labelled)} pages for {len(crawls)} personas: browser "
        f"{browsed - started:.0f}s, Nu HTML Checker {time.monotonic() - browsed:.0f}s"
    )

    found = {email: crawl.problems for email, crawl in crawls.items() if crawl.problems}
    assert not found, "\n\n".join(
        f"{len(problems)} problems for {email} ({len(crawls[email].files)} pages):\n"
        + "\n".join(problems)
        for email, problems in found.items()
    )
