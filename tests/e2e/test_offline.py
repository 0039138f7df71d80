"""Installable and usable offline (pod_site/offline.py, templates/offline/sw.js,
static/js/offline.js, offline-store.js, offline-editor.js, autosave.js). The
service worker runs on Workbox, vendored in static/vendor/workbox/.

The must-show: a draft goes offline mid-sentence, takes more text, is reloaded
offline (the service worker shows the editor's shell, which finds the text kept
on the device), comes back online and is saved. Text kept on the device is
ciphertext only, comes back through the revision check (a change made elsewhere
is a conflict), and after sign-out nothing of it is readable in any of the
browser's storage: Cache Storage, IndexedDB, localStorage, sessionStorage.

Playwright's offline mode (context.set_offline) applies to the service worker's
own requests too, as it does on a phone without signal.
"""

import re
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from reflections.models import Reflection
from tests.e2e.test_saving import (
    SAVE_TIMEOUT_MS,
    end_every_session,
    forget_autosave_problems,
    sign_in_in_dialog,
    status,
    stored_text,
)

MARKER = "Zebra-crossing-7731 said on the bus"

# Everything this origin keeps in the browser, as text: each Cache Storage
# entry with its body, each IndexedDB record (bytes decoded as UTF-8 so a
# plain-text copy would show; a CryptoKey by its extractable flag),
# localStorage and sessionStorage.
DUMP_STORAGE = """async () => {
  const found = [];
  const asText = (value) => {
    if (value instanceof CryptoKey) {
      return `CryptoKey(extractable=${value.extractable})`;
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
      return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    }
    if (value && typeof value === "object") {
      return "{" + Object.entries(value).map(([k, v]) => `${k}: ${asText(v)}`).join(", ") + "}";
    }
    return String(value);
  };
  const ask = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      found.push({
        where: `Cache Storage ${name} ${request.url}`,
        type: response.headers.get("Content-Type") || "",
        text: await response.text(),
      });
    }
  }
  for (const { name } of await indexedDB.databases()) {
    const db = await ask(indexedDB.open(name));
    for (const storeName of db.objectStoreNames) {
      const store = db.transaction(storeName).objectStore(storeName);
      const keys = await ask(store.getAllKeys());
      const values = await ask(store.getAll());
      values.forEach((value, i) => found.push({
        where: `IndexedDB ${name}/${storeName}/${keys[i]}`, type: "", text: asText(value),
      }));
    }
    db.close();
  }
  const areas = [["localStorage", localStorage], ["sessionStorage", sessionStorage]];
  for (const [area, storage] of areas) {
    for (const key of Object.keys(storage)) {
      found.push({ where: `${area} ${key}`, type: "", text: key + " " + storage.getItem(key) });
    }
  }
  return found;
}"""

PENDING_COUNT = """async () => {
  if (!(await indexedDB.databases()).some((db) => db.name === "pod-offline")) return 0;
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("pod-offline");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  if (!db.objectStoreNames.contains("pending")) { db.close(); return 0; }
  const count = await new Promise((resolve) => {
    const request = db.transaction("pending").objectStore("pending").count();
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return count;
}"""


# Try to read the kept key out.
EXPORT_KEY = """async () => {
  const db = await new Promise((resolve) => {
    const request = indexedDB.open("pod-offline");
    request.onsuccess = () => resolve(request.result);
  });
  const record = await new Promise((resolve) => {
    const request = db.transaction("keys").objectStore("keys").get("current");
    request.onsuccess = () => resolve(request.result);
  });
  db.close();
  return crypto.subtle.exportKey("raw", record.key).then(() => "exported", () => "refused");
}"""


@pytest.fixture
def draft(author, meeting) -> Reflection:
    return Reflection.objects.create(author=author, meeting=meeting)


def open_editor(page: Page, live_server, draft) -> Page:
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    wait_for_service_worker(page)
    return page


def wait_for_service_worker(page: Page) -> None:
    # Installed (its cache filled) and controlling this page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # A page that was still loading when the worker took over (clients.claim)
    # is left to the network; from its next load it is controlled.
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def text_field(page: Page):
    # The editor's label; the shell names the same field the same way.
    return page.get_by_label("What happened between us")


def wait_for_kept(page: Page, count: int = 1) -> None:
    """Wait until `count` texts are kept (IndexedDB is asynchronous: poll it)."""
    deadline = time.monotonic() + 10
    while (kept := page.evaluate(PENDING_COUNT)) != count:
        assert time.monotonic() < deadline, f"{kept} texts kept, not {count}"
        page.wait_for_timeout(100)


def storage(page: Page) -> list[dict]:
    return page.evaluate(DUMP_STORAGE)


def holding(entries: list[dict], text: str) -> list[str]:
    return [entry["where"] for entry in entries if text in entry["text"]]


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_writing_offline_survives_a_reload_and_saves_when_connected(
    page: Page, live_server, sign_in, author, draft, axe_check, browser_errors
):
    sign_in(page, author)
    open_editor(page, live_server, draft)
    text_field(page).fill("Mum spoke first.")
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    # Mid-draft, the signal goes.
    page.context.set_offline(True)
    text_field(page).press_sequentially(f" {MARKER}.")
    expect(status(page)).to_contain_text("Offline: will save when connected.")
    expect(status(page)).to_contain_text("Your text is kept on this device until then.")
    wait_for_kept(page)

    # Kept on the device only as ciphertext, under a key that cannot be read out.
    kept = storage(page)
    assert not holding(kept, MARKER), "the kept text is readable"
    assert holding(kept, "CryptoKey(extractable=false)")
    assert page.evaluate(EXPORT_KEY) == "refused"

    # Reloaded without a connection (nothing asks first: the text is kept):
    # the editor still opens, with the text.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reflection")
    expect(text_field(page)).to_have_value(f"Mum spoke first. {MARKER}.")
    expect(status(page)).to_contain_text("Offline: will save when connected.")
    assert stored_text(draft) == "Mum spoke first."
    axe_check(page)

    # Writing on in the shell keeps that too.
    text_field(page).press_sequentially(" Then the bus came.")
    page.wait_for_timeout(1_000)  # the shell keeps what is typed after 0.3 s

    # The connection returns: the editor opens again and saves it.
    page.context.set_offline(False)
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1, timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    full = f"Mum spoke first. {MARKER}. Then the bus came."
    expect(text_field(page)).to_have_value(full)
    assert stored_text(draft) == full
    wait_for_kept(page, 0)

    # The service worker kept no page with the note in it.
    for entry in storage(page):
        if entry["where"].startswith("Cache Storage"):
            assert MARKER not in entry["text"], entry["where"]
            if "text/html" in entry["type"]:
                assert entry["where"].endswith(("/offline/", "/offline/editor/")), entry["where"]

    sign_out(page)
    assert not holding(storage(page), MARKER)
    assert not holding(storage(page), "Mum spoke first")


def test_after_signing_out_nothing_kept_is_readable(
    new_context, live_server, sign_in, author, draft, browser_errors
):
    context = new_context()
    page = sign_in(context.new_page(), author)
    open_editor(page, live_server, draft)
    # The server cannot be reached: the text is kept on the device. (Routed
    # for the whole context, so that no retry gets through as the page closes.)
    context.route(re.compile(r"/autosave/$"), lambda route: route.abort("internetdisconnected"))
    text_field(page).fill(MARKER)
    # Focus leaves now, not as the page closes (closing would send a save
    # while the page's routes are being taken down).
    text_field(page).blur()
    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    wait_for_kept(page)
    assert not holding(storage(page), MARKER)
    page.close()
    browser_errors.problems = [p for p in browser_errors.problems if "/autosave/" not in p]

    other = context.new_page()
    other.goto(f"{live_server.url}/")
    wait_for_kept(other)  # the same session: still kept
    sign_out(other)

    for entry in storage(other):
        assert MARKER not in entry["text"], entry["where"]
        assert not entry["where"].startswith("IndexedDB pod-offline"), entry["where"]
    assert other.evaluate("() => localStorage.length") == 0
    # htmx notes the address it is at (the sign-in page), nothing else.
    assert other.evaluate("() => Object.keys(sessionStorage)") in (
        [],
        ["htmx-current-path-for-history"],
    )
    assert stored_text(draft) == ""


def test_a_new_session_wipes_what_the_last_one_kept(
    new_context, live_server, sign_in, author, draft, browser_errors
):
    context = new_context()
    page = sign_in(context.new_page(), author)
    open_editor(page, live_server, draft)
    context.set_offline(True)
    text_field(page).fill(MARKER)
    expect(status(page)).to_contain_text("kept on this device")
    wait_for_kept(page)
    page.close()  # as a phone closes a tab: nothing asked, the text is kept

    # The session ends while offline (idle timeout); back online, the next
    # page is a sign-in page: the kept text belonged to the ended session.
    end_every_session()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    wait_for_kept(page, 0)
    assert not holding(storage(page), MARKER)


ENDED = "Text kept on this device was removed because your session has ended."

HAS_DATABASE = """async () =>
  (await indexedDB.databases()).some((db) => db.name === "pod-offline")"""


def keep_text_unsent(context, live_server, sign_in, author, draft, browser_errors) -> None:
    """Write while autosave cannot reach the server: the text is kept on the
    device. Then the tab closes, as a phone's does, asking nothing."""
    page = sign_in(context.new_page(), author)
    open_editor(page, live_server, draft)
    context.route(re.compile(r"/autosave/$"), lambda route: route.abort("internetdisconnected"))
    text_field(page).fill(MARKER)
    text_field(page).blur()
    expect(status(page)).to_contain_text("Not saved", timeout=SAVE_TIMEOUT_MS)
    wait_for_kept(page)
    page.close()
    browser_errors.problems = [p for p in browser_errors.problems if "/autosave/" not in p]


def expect_nothing_kept_shown(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reflection, offline")
    expect(page.get_by_text(ENDED)).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_text(MARKER)).to_have_count(0)
    assert page.evaluate(HAS_DATABASE) is False
    assert not holding(storage(page), MARKER)


def test_after_the_cookies_are_cleared_kept_text_is_not_shown_offline(
    new_context, live_server, sign_in, author, draft, browser_errors
):
    # The tester's scenario: the session ends by clearing cookies, then the
    # editor is opened offline. The shell has no session tag to compare, but
    # this browser no longer holds the session.
    context = new_context()
    keep_text_unsent(context, live_server, sign_in, author, draft, browser_errors)

    context.clear_cookies()
    context.set_offline(True)
    page = context.new_page()
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")

    expect_nothing_kept_shown(page)
    assert stored_text(draft) == ""


def test_kept_text_older_than_the_idle_timeout_is_wiped_offline(
    new_context, live_server, sign_in, author, draft, settings, browser_errors
):
    context = new_context()
    keep_text_unsent(context, live_server, sign_in, author, draft, browser_errors)

    # Half an hour and a minute later on the device's clock, without a word
    # from the server meanwhile: the session has ended (idle), even if nobody
    # could tell the device.
    context.set_offline(True)
    page = context.new_page()
    later = datetime.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    page.clock.install(time=later)
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")

    expect_nothing_kept_shown(page)


def test_within_the_idle_timeout_kept_text_is_still_there_offline(
    new_context, live_server, sign_in, author, draft, settings, browser_errors
):
    context = new_context()
    keep_text_unsent(context, live_server, sign_in, author, draft, browser_errors)

    # A little less than the idle timeout since the server last answered.
    context.set_offline(True)
    page = context.new_page()
    later = datetime.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)
    page.clock.install(time=later)
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Reflection")
    expect(text_field(page)).to_have_value(MARKER)
    expect(page.get_by_text(ENDED)).to_have_count(0)


def test_the_twelve_hours_end_what_was_kept_however_recent(
    new_context, live_server, sign_in, author, draft, settings, browser_errors
):
    # The absolute limit: the page said how long was left of it; past that,
    # the text goes even though the server answered a minute before.
    settings.SESSION_MAX_AGE = 20 * 60  # the live server runs in this process
    context = new_context()
    keep_text_unsent(context, live_server, sign_in, author, draft, browser_errors)

    context.set_offline(True)
    page = context.new_page()
    page.clock.install(time=datetime.now() + timedelta(minutes=21))
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")

    expect_nothing_kept_shown(page)


def test_text_kept_offline_meets_the_revision_check(
    page: Page, live_server, sign_in, author, draft, browser_errors
):
    sign_in(page, author)
    open_editor(page, live_server, draft)
    page.context.set_offline(True)
    text_field(page).fill(MARKER)
    expect(status(page)).to_contain_text("kept on this device")
    page.reload()
    expect(text_field(page)).to_have_value(MARKER)

    # Meanwhile the note is changed elsewhere (another device).
    Reflection.objects.filter(pk=draft.pk).update(
        text="Written on the laptop.", revision=F("revision") + 1
    )

    page.context.set_offline(False)
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1, timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("changed", timeout=SAVE_TIMEOUT_MS)
    expect(page.get_by_role("button", name="Compare the two versions")).to_be_visible()
    # Nothing overwritten, and the kept text is on the page to compare.
    assert stored_text(draft) == "Written on the laptop."
    expect(text_field(page)).to_have_value(MARKER)
    browser_errors.expected_status(409, f"{live_server.url}/reflections/{draft.pk}/autosave/")


def test_the_app_is_installable(page: Page, live_server, sign_in, author, axe_check):
    sign_in(page, author)
    wait_for_service_worker(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")

    # What Chromium itself says (the checks behind Lighthouse's "installable").
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    # Playwright's contexts are incognito profiles, where Chromium never offers
    # to install; any other reason would be ours.
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

    for icon in page.request.get(manifest["url"]).json()["icons"]:
        response = page.request.get(live_server.url + icon["src"])
        assert response.ok
        assert response.headers["content-type"] == icon["type"]


@pytest.mark.parametrize("path", ["/offline/", "/offline/editor/"])
def test_the_offline_pages_are_accessible(page: Page, live_server, axe_check, path):
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)


def test_a_new_note_written_offline_is_created_once_when_connected(
    page: Page, live_server, sign_in, author, meeting, browser_errors
):
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/new/edit/?meeting={meeting.pk}")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    wait_for_service_worker(page)

    page.context.set_offline(True)
    text_field(page).fill(MARKER)
    expect(status(page)).to_contain_text("kept on this device")
    page.reload()
    expect(text_field(page)).to_have_value(MARKER)
    assert not Reflection.objects.filter(author=author).exists()

    page.context.set_offline(False)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    (note,) = Reflection.objects.filter(author=author)
    assert note.text == MARKER
    expect(page).to_have_url(re.compile(rf"/reflections/{note.pk}/edit/$"))
    wait_for_kept(page, 0)


def test_after_signing_in_again_in_the_dialog_text_is_kept_for_the_new_session(
    page: Page, live_server, sign_in, author, draft, browser_errors
):
    sign_in(page, author)
    open_editor(page, live_server, draft)
    old_tag = page.locator('meta[name="pod-session"]').get_attribute("content")
    end_every_session()
    text_field(page).fill("Mum spoke first.")
    dialog = page.get_by_role("dialog", name="Sign in again to save")
    expect(dialog).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    sign_in_in_dialog(page, author)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)

    # The page now carries the new session's tag ...
    tag = page.locator('meta[name="pod-session"]')
    expect(tag).not_to_have_attribute("content", old_tag)
    expect(tag).not_to_have_attribute("content", "")

    # ... so what it keeps offline is still there when the editor is next
    # loaded from the server (which would wipe another session's).
    page.context.set_offline(True)
    text_field(page).press_sequentially(f" {MARKER}.")
    expect(status(page)).to_contain_text("kept on this device")
    page.reload()
    expect(text_field(page)).to_have_value(f"Mum spoke first. {MARKER}.")
    page.context.set_offline(False)
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1, timeout=SAVE_TIMEOUT_MS)
    expect(status(page)).to_contain_text("Draft saved at", timeout=SAVE_TIMEOUT_MS)
    assert stored_text(draft) == f"Mum spoke first. {MARKER}."
    forget_autosave_problems(browser_errors, page)


def test_the_worker_runs_workbox_from_this_origin_and_asks_no_other_host(
    new_context, live_server, sign_in, author, draft, browser_errors
):
    context = new_context()
    # Every request of the pages and of the service worker (Chromium reports
    # the worker's own requests on the context).
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = sign_in(context.new_page(), author)
    open_editor(page, live_server, draft)

    (worker,) = context.service_workers
    assert worker.url == f"{live_server.url}/sw.js"
    modules = worker.evaluate("Object.keys(self.workbox).sort()")
    assert modules == ["core", "precaching", "routing", "strategies"]
    # Its code: /sw.js, and Workbox's modules from our own static files, in order.
    workbox = [urlsplit(r.url).path for r in requests if r.service_worker and "/workbox/" in r.url]
    assert workbox == [
        f"/static/vendor/workbox/workbox-{name}.prod.js"
        for name in ("core", "routing", "strategies", "precaching")
    ]
    # The two pages it keeps were fetched without cookies: rendered for nobody.
    kept_pages = [
        r for r in requests if r.service_worker and urlsplit(r.url).path.startswith("/offline/")
    ]
    assert {urlsplit(r.url).path for r in kept_pages} == {"/offline/", "/offline/editor/"}
    for request in kept_pages:
        assert "cookie" not in request.all_headers(), request.url

    # Offline, the worker answers a page with the offline page ...
    context.set_offline(True)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    # ... and a note's editor with its shell, kept by Workbox's precache under
    # the plain address.
    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reflection, offline")
    context.set_offline(False)
    open_editor(page, live_server, draft)

    kept = [entry["where"] for entry in storage(page) if entry["where"].startswith("Cache Storage")]
    assert any(where.endswith("/offline/editor/") for where in kept), kept
    assert all(" pod-offline-precache-" in where for where in kept), kept

    assert any(request.service_worker for request in requests), "the worker's requests are seen"
    hosts = {urlsplit(r.url).netloc for r in requests if r.url.startswith(("http:", "https:"))}
    assert hosts == {urlsplit(live_server.url).netloc}
    assert not [r.url for r in requests if not r.url.startswith(live_server.url)]
