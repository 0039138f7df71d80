"""Installable and usable offline: the web app manifest, the service worker, the
two pages it keeps for when there is no connection, and sign-out wiping the
browser's storage.

What the browser may keep (docs/security.md, "Offline"): the service worker
caches static files and two pages that never hold note text or anything about
the person (they are fetched without cookies, so they are rendered for nobody).
Text that could not be sent is kept by static/js/offline-store.js, encrypted
under a key the page cannot read out, and only for the session whose tag
(`session_tag`) the page carries, and only until that session must have ended
(`session_limits`: the page turns them into deadlines on the device's clock).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from allauth.account.views import logout as allauth_logout
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_GET, require_safe

from security import sessions

SESSION_TAG_SALT = "pod_site.offline.session_tag"

# Everything the offline pages load, and the icons. Whitenoise serves these
# under hashed names in production (static() gives them), so a changed file is
# a changed list and hence a new service worker.
PRECACHED_STATIC = [
    "vendor/nhsuk-frontend/nhsuk-frontend.min.css",
    "css/app.css",
    "images/favicon.svg",
    "images/icon-192.png",
    "images/icon-512.png",
    "js/offline-store.js",
    "js/offline-editor.js",
]
NHSUK_ASSETS = Path(settings.BASE_DIR) / "static" / "vendor" / "nhsuk-frontend" / "assets"


def session_tag(request: HttpRequest) -> str:
    """A tag for this session that the page may carry: a keyed hash of the
    session key, never the key itself. Empty when nobody is signed in."""
    key = request.session.session_key if hasattr(request, "session") else None
    if not key or not request.user.is_authenticated:
        return ""
    return salted_hmac(SESSION_TAG_SALT, key, algorithm="sha256").hexdigest()


def session_limits(request: HttpRequest) -> dict[str, int] | None:
    """How long this session may last at most, in seconds from now, for the page
    to turn into deadlines on the device's own clock (no clock is compared):

    - `ends_in`: what is left of the absolute limit, SESSION_MAX_AGE after
      sign-in (security/sessions.py's SIGNED_IN_AT);
    - `idle`: the idle timeout, SESSION_COOKIE_AGE. The server ends the session
      that long after its last save, which is never later than the last answer
      the device saw, so "last answer + idle" is never before the real end.

    None when nobody is signed in."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key or not request.user.is_authenticated:
        return None
    now = sessions.now()
    signed_in_at = session.get(sessions.SIGNED_IN_AT, now)
    ends_in = max(0, settings.SESSION_MAX_AGE - (now - int(signed_in_at)))
    return {"ends_in": ends_in, "idle": int(settings.SESSION_COOKIE_AGE)}


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: enough for Chromium's "Install" and a phone's
    "Add to home screen"."""
    data = {
        "id": "/",
        "name": settings.SERVICE_NAME,
        "short_name": settings.SERVICE_NAME[:12],
        "description": "Reflective practice for peer-supported Open Dialogue teams.",
        "lang": "en-GB",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#005eb8",
        "background_color": "#f0f4f5",
        "icons": [
            {"src": static("images/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("images/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("images/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


def _precache_urls() -> list[str]:
    assets = sorted(
        f"vendor/nhsuk-frontend/assets/{path.relative_to(NHSUK_ASSETS).as_posix()}"
        for path in NHSUK_ASSETS.rglob("*")
        if path.is_file()
    )
    return [static(name) for name in [*PRECACHED_STATIC, *assets]]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js, at the site root so that its scope is the whole site.

    Rendered rather than a static file: it names the static files it keeps,
    and the Workbox modules it imports (static/vendor/workbox/), by their
    hashed URLs, and its version is a hash of the kept files and of the two
    offline pages, so any change to them is a new worker that caches them
    afresh."""
    editor_shell = reverse("offline_editor")
    offline_page = reverse("offline_page")
    precache = _precache_urls()
    pages = render_to_string("offline/editor.html") + render_to_string("offline/page.html")
    version = hashlib.sha256(json.dumps([precache, pages]).encode()).hexdigest()[:16]
    config = {
        "version": version,
        "static": precache,
        "editorShell": editor_shell,
        "offlinePage": offline_page,
    }
    response = render(
        request,
        "offline/sw.js",
        {"config": json.dumps(config, indent=2)},
        content_type="text/javascript; charset=utf-8",
    )
    # The root scope needs no permission, but say it: a proxy that moves the
    # script must not silently narrow it. NoStoreMiddleware adds no-store too.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def offline_page(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it cannot fetch: no one's data."""
    return render(request, "offline/page.html")


@require_safe
def offline_editor(request: HttpRequest) -> HttpResponse:
    """The editor's offline shell: no fields and no text of its own. Opened by
    the service worker at a note's edit address when the network fails, it
    decrypts the text waiting for that note (static/js/offline-editor.js)."""
    return render(request, "offline/editor.html")


@require_GET
def current_session_tag(request: HttpRequest) -> JsonResponse:
    """The session tag, for a page that stayed open while its person signed in
    again (the in-page sign-in rotates the session key): from then on, what it
    keeps belongs to the new session, and lasts as long as it may
    (`session_limits`). Empty, without limits, when nobody is signed in."""
    limits = session_limits(request) or {"ends_in": None, "idle": None}
    return JsonResponse({"tag": session_tag(request), **limits})


def sign_out(request: HttpRequest) -> HttpResponse:
    """allauth's sign-out, telling the browser to clear this site's storage.

    `Clear-Site-Data: "cache", "storage"` empties Cache Storage, IndexedDB
    (text waiting to be saved, and its key), localStorage and sessionStorage,
    and unregisters the service worker; the page's own script deletes the
    database too (static/js/offline.js), for a browser that ignores the header.
    Only the POST signs out: the GET is the page asking to confirm."""
    response = allauth_logout(request)
    if request.method == "POST":
        response["Clear-Site-Data"] = '"cache", "storage"'
    return response
