"""Installable and usable offline (pod_site/offline.py): the manifest, the service
worker, the offline pages, the session tag and the sign-out that clears the
browser's storage. The browser side is tests/e2e/test_offline.py."""

import json
import re
import shutil
import subprocess

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.crypto import salted_hmac
from PIL import Image

from pod_site.offline import SESSION_TAG_SALT
from pod_site.settings import STORAGES
from security import sessions

pytestmark = pytest.mark.django_db

SESSION_TAG = re.compile(r'<meta name="pod-session" content="([^"]*)">')
ENDS_IN = re.compile(r'<meta name="pod-session-ends-in" content="([^"]*)">')
IDLE = re.compile(r'<meta name="pod-session-idle" content="([^"]*)">')


def sw_config(body: str) -> dict:
    match = re.search(r"^const CONFIG = (\{.*?^\});$", body, re.MULTILINE | re.DOTALL)
    assert match, "the service worker names what it keeps in CONFIG"
    return json.loads(match.group(1))


def static_file(url: str) -> str:
    assert url.startswith("/static/"), url
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    return path


def test_the_manifest_has_what_installing_needs(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] and manifest["short_name"]
    assert len(manifest["short_name"]) <= 12  # a home screen shows about that many
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    # Chromium's installability check: PNG icons of 192 and 512 pixels.
    pngs = {icon["sizes"]: icon for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert set(pngs) >= {"192x192", "512x512"}
    for sizes, icon in pngs.items():
        with Image.open(static_file(icon["src"])) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == sizes


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    # Checked for a new version on every load, never from a cache.
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    config = sw_config(response.content.decode())
    assert config["editorShell"] == "/offline/editor/"
    assert config["offlinePage"] == "/offline/"
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    for url in config["static"]:
        static_file(url)
    assert {"/static/css/app.css", "/static/js/offline-editor.js"} <= set(config["static"])


def test_the_service_worker_is_valid_javascript(client, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "sw.js"
    script.write_bytes(client.get("/sw.js").content)
    # node from PATH, checking our own file
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stderr


def test_the_service_worker_stores_no_page(client):
    body = client.get("/sw.js").content.decode()

    # It fills its cache once, at install, from its fixed list (Workbox's
    # precache of CONFIG); nothing it fetches later is put in a cache: no
    # runtime caching strategy, no background sync (which would keep request
    # bodies, note text, in IndexedDB unencrypted).
    assert body.count("precacheAndRoute(") == 1
    assert "[...CONFIG.static, CONFIG.editorShell, CONFIG.offlinePage]" in body
    assert ".put(" not in body
    for keeps in ("CacheFirst", "NetworkFirst", "StaleWhileRevalidate", "CacheOnly", "caches.open"):
        assert keeps not in body
    assert "backgroundSync" not in body and "BackgroundSync" not in body
    assert 'credentials: "omit"' in body
    # Pages come from the network; the kept pages are only a fallback. The
    # page route comes before the precache's, so it answers every navigation.
    pages = body.index("new routing.NavigationRoute(new strategies.NetworkOnly())")
    assert pages < body.index("setCatchHandler") < body.index("matchPrecache")
    assert body.index("routing.registerRoute(pages)") < body.index("precacheAndRoute(")
    # Only the exact addresses of the kept files: no query strings dropped, no
    # index.html or .html guesses.
    assert "ignoreURLParametersMatching: [], directoryIndex: null, cleanURLs: false" in body
    assert "cleanupOutdatedCaches()" in body


WORKBOX_MODULES = ["core", "routing", "strategies", "precaching"]


def imported_scripts(body: str) -> list[str]:
    calls = re.findall(r"\bimportScripts\(([^)]*)\)", body)
    assert len(calls) == 1, "the worker imports its scripts in one place"
    return re.findall(r'"([^"]*)"', calls[0])


def test_the_service_worker_imports_workbox_from_this_origin_only(client):
    body = client.get("/sw.js").content.decode()

    # Workbox's production builds, vendored (static/vendor/workbox/), each
    # registering itself on self.workbox, in the order they need each other.
    urls = imported_scripts(body)
    assert urls == [f"/static/vendor/workbox/workbox-{name}.prod.js" for name in WORKBOX_MODULES]
    for name, url in zip(WORKBOX_MODULES, urls, strict=True):
        with open(static_file(url), encoding="utf-8") as built:
            script = built.read()
        assert script.startswith(f"this.workbox=this.workbox||{{}},this.workbox.{name}=function")
        assert "importScripts" not in script  # they load nothing themselves
    # Nothing from another host: no absolute or protocol-relative address, no
    # other way of loading code.
    assert not re.search(r"https?:|[\"'`]//", body)
    assert "import(" not in body and "eval(" not in body


def test_the_vendored_workbox_is_the_version_package_json_names(settings):
    package = json.loads((settings.BASE_DIR / "package.json").read_text())
    versions = {package["devDependencies"][f"workbox-{name}"] for name in WORKBOX_MODULES}
    assert len(versions) == 1
    (version,) = versions
    vendored = (settings.BASE_DIR / "static" / "vendor" / "workbox" / "VERSION").read_text()
    assert vendored.startswith(f"workbox {version} ")


def test_the_offline_pages_hold_nothing_of_anyones(client, login, author):
    login(author)
    for url in ("/offline/", "/offline/editor/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert author.email not in page
        assert "csrfmiddlewaretoken" not in page
        assert "pod-session" not in page  # a kept page cannot know the session
        assert "<textarea" not in page  # the shell's fields come from the device


def test_a_signed_in_page_carries_a_tag_of_the_session_not_its_key(client, login, author):
    login(author)
    page = client.get("/").content.decode()

    tag = SESSION_TAG.search(page).group(1)
    key = client.session.session_key
    assert tag == salted_hmac(SESSION_TAG_SALT, key, algorithm="sha256").hexdigest()
    assert key not in page

    # Another sign-in is another session, with another tag.
    client.logout()
    login(author)
    assert SESSION_TAG.search(client.get("/").content.decode()).group(1) not in ("", tag)


def test_a_signed_out_page_carries_an_empty_tag(client):
    page = client.get("/accounts/login/").content.decode()

    assert SESSION_TAG.search(page).group(1) == ""


def test_signing_out_tells_the_browser_to_clear_the_sites_storage(client, login, author):
    login(author)

    assert "Clear-Site-Data" not in client.get("/accounts/logout/")
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


def test_with_fingerprinted_static_files_the_worker_names_them(client, tmp_path):
    with override_settings(STORAGES=STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)
        worker = client.get("/sw.js").content.decode()
        config = sw_config(worker)
        page = client.get("/offline/editor/").content.decode()

    for url in config["static"]:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        assert (tmp_path / url.removeprefix("/static/")).exists()
    # The shell loads what the worker keeps, under the same names.
    shell_script = re.search(r'<script type="module" src="([^"]+)"', page).group(1)
    assert shell_script in config["static"]
    # Its import of the store is rewritten to the kept name too.
    editor_js = (tmp_path / shell_script.removeprefix("/static/")).read_text()
    imported = re.search(r'from "\./(offline-store\.[0-9a-f]{12}\.js)"', editor_js).group(1)
    assert f"/static/js/{imported}" in config["static"]
    # Workbox is imported under its hashed names, and collectstatic found the
    # source maps its builds point to.
    for url in imported_scripts(worker):
        assert re.fullmatch(r"/static/vendor/workbox/workbox-\w+\.prod\.[0-9a-f]{12}\.js", url), url
        built = (tmp_path / url.removeprefix("/static/")).read_text()
        source_map = re.search(r"sourceMappingURL=(\S+)$", built).group(1)
        assert (tmp_path / "vendor" / "workbox" / source_map).exists()


def test_a_page_that_signed_in_again_can_learn_the_new_tag(client, login, author, settings):
    assert client.get("/offline/session-tag/").json() == {
        "tag": "",
        "ends_in": None,
        "idle": None,
    }

    login(author)
    page = client.get("/").content.decode()
    response = client.get("/offline/session-tag/")

    answer = response.json()
    assert answer["tag"] == SESSION_TAG.search(page).group(1)
    # And how long the new session may last, as the page's meta tags say.
    assert settings.SESSION_MAX_AGE - 5 <= answer["ends_in"] <= settings.SESSION_MAX_AGE
    assert answer["idle"] == settings.SESSION_COOKIE_AGE
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_page_says_how_long_its_session_may_last(client, login, author, settings):
    login(author)
    page = client.get("/").content.decode()

    # Seconds from now, so the page needs no clock of the server's: all that
    # is left of the absolute limit just after signing in, and the idle timeout.
    assert SESSION_TAG.search(page).group(1)
    ends_in = int(ENDS_IN.search(page).group(1))
    assert settings.SESSION_MAX_AGE - 5 <= ends_in <= settings.SESSION_MAX_AGE
    assert int(IDLE.search(page).group(1)) == settings.SESSION_COOKIE_AGE == 30 * 60


def test_the_absolute_limit_left_counts_from_sign_in(client, login, author, settings):
    login(author)
    session = client.session
    session[sessions.SIGNED_IN_AT] = session[sessions.SEEN_AT] = sessions.now() - 5 * 60 * 60
    session.save()

    page = client.get("/").content.decode()

    ends_in = int(ENDS_IN.search(page).group(1))
    seven_hours = settings.SESSION_MAX_AGE - 5 * 60 * 60
    assert seven_hours - 5 <= ends_in <= seven_hours


def test_the_limits_follow_the_settings(client, login, author, settings):
    settings.SESSION_COOKIE_AGE = 120
    settings.SESSION_MAX_AGE = 600
    login(author)

    page = client.get("/").content.decode()

    assert 595 <= int(ENDS_IN.search(page).group(1)) <= 600
    assert IDLE.search(page).group(1) == "120"


def test_a_signed_out_page_says_no_limits(client):
    page = client.get("/accounts/login/").content.decode()

    assert ENDS_IN.search(page).group(1) == ""
    assert IDLE.search(page).group(1) == ""


@pytest.mark.parametrize(
    "name", ["service_worker", "web_manifest", "offline_page", "offline_editor"]
)
def test_public_offline_files_answer_head_as_get(client, name):
    # A HEAD is what a cache or a monitor sends to see that a file is there.
    response = client.head(reverse(name))

    assert response.status_code == 200
