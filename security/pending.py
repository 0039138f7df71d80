"""When a session ends while someone is writing: nothing navigates away, nothing
posted is dropped (docs/security.md, "Sessions that end while someone is writing").

- htmx and fetch() requests (`wants_status`) from someone who is not signed in get
  a 401 (`signed_out_response`), never a redirect to the sign-in page: the page,
  and the text on it, stays where it is.
- A plain form POSTed after the session ended is kept (`keep_post`) as an
  encrypted PendingPost for the person named by the "who" cookie, tied to this
  browser by the `pod_pending` cookie, and offered back after sign-in on the
  pending page. Only a POST that passes the CSRF check (or fails it only by a
  stale token from our own origin) is kept, so a cross-site form cannot plant text.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import urlencode

from pod_site.htmx import wants_fragment
from security.models import PENDING_POST_HOURS, PendingPost, token_digest

SIGNED_OUT_MESSAGE = (
    "You have been signed out. Your text is still on this page: sign in again to save it."
)
KEPT_MESSAGE = (
    "You were signed out before what you sent could be saved. It is kept for you: "
    "sign in again to see it and send it."
)
# Names of the cookies: who was last signed in on this browser (signed), and
# the random token that ties pending posts to this browser.
WHO_COOKIE = "pod_who"
WHO_SALT = "security.pending.who"
PENDING_COOKIE = "pod_pending"
# The hidden input the pending page adds to "Send it now": once the original
# view accepts the post (a status below 400), the pending post is deleted.
PENDING_FIELD = "pending_post"
# At most this many pending posts are kept per person and browser (the oldest go).
MAX_PENDING_PER_BROWSER = 20

# Views whose POSTs are never kept: sign-in and account pages (allauth), the
# admin, the health check, and this app's own security pages.
_SKIPPED_MODULES = {"allauth", "axes", "django", "pod_site", "security"}


def wants_status(request: HttpRequest) -> bool:
    """An htmx or fetch() request, which must get a status code, not a redirect.

    htmx's history restore (Back, after a cache miss) loads a whole page, so it
    is not one (pod_site.htmx.wants_fragment): a redirect to sign-in is right there.
    """
    return wants_fragment(request) or wants_json(request)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def signed_out_response(request: HttpRequest) -> HttpResponse:
    """401 for an htmx or fetch() request from someone no longer signed in.

    JSON `{"state": "signed_out", "message": ...}` when the request accepts JSON,
    else a short HTML message; for htmx, `HX-Reswap: none` (nothing on the page
    is replaced) and `HX-Trigger: pod:signed-out` (the page offers sign-in).
    """
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"state": "signed_out", "message": SIGNED_OUT_MESSAGE}, status=401
        )
    else:
        response = HttpResponse(
            f'<p class="app-signed-out" role="alert">{SIGNED_OUT_MESSAGE}</p>',
            status=401,
            content_type="text/html; charset=utf-8",
        )
    response["HX-Reswap"] = "none"
    response["HX-Trigger"] = "pod:signed-out"
    add_never_cache_headers(response)
    patch_vary_headers(response, ["HX-Request", "Accept"])
    return response


def is_login_redirect(response: HttpResponse) -> bool:
    """A redirect to the sign-in page (login_required's, or the admin's)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = response.get("Location", "").split("?", 1)[0]
    return location in {reverse(settings.LOGIN_URL), reverse("admin:login")}


def login_url(next_url: str | None = None) -> str:
    url = reverse(settings.LOGIN_URL)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# The person whose session ended ------------------------------------------------


def who_cookie_user_id(request: HttpRequest) -> int | None:
    """The id of the person last signed in on this browser (a signed cookie), or None."""
    value = request.get_signed_cookie(
        WHO_COOKIE, default=None, salt=WHO_SALT, max_age=settings.SESSION_MAX_AGE
    )
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def set_who_cookie(response: HttpResponse, user_id: int) -> None:
    response.set_signed_cookie(
        WHO_COOKIE,
        str(user_id),
        salt=WHO_SALT,
        max_age=settings.SESSION_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def delete_who_cookie(response: HttpResponse) -> None:
    response.delete_cookie(WHO_COOKIE, samesite="Lax")


# Keeping a post -----------------------------------------------------------------


def keepable_view(request: HttpRequest) -> tuple[Any, tuple, dict] | None:
    """The app's own view a plain form POST is for, or None if it is not to be kept."""
    if request.method != "POST" or wants_status(request):
        return None
    path = request.get_full_path()
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    module = getattr(match.func, "__module__", "") or ""
    if "admin" in match.namespaces or module.split(".")[0] in _SKIPPED_MODULES:
        return None
    if getattr(match.func, "csrf_exempt", False):
        return None  # no CSRF check, so nothing proves the post came from our pages
    return match.func, match.args, match.kwargs


def is_token_only_failure(request: HttpRequest, reason: str) -> bool:
    """A CSRF failure whose only fault is the token (stale, or no cookie), on a
    request whose Origin header Django has already checked is our own."""
    stale = reason.startswith("CSRF token from ") and reason.endswith(" incorrect.")
    return (stale or reason == REASON_NO_CSRF_COOKIE) and "HTTP_ORIGIN" in request.META


def csrf_allows_keeping(request: HttpRequest, view: tuple[Any, tuple, dict]) -> bool:
    """Whether Django's CSRF check passes, or fails only by a stale token."""
    callback, args, kwargs = view
    request.security_csrf_probe = True  # type: ignore[attr-defined]
    try:
        refused = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
            request, callback, args, kwargs
        )
    finally:
        del request.security_csrf_probe  # type: ignore[attr-defined]
    if refused is None:
        return True
    reason = getattr(request, "security_csrf_reason", "")
    return is_token_only_failure(request, reason)


def keep_post(request: HttpRequest, user_id: int, response: HttpResponse) -> HttpResponse:
    """Store the POST for `user_id` and this browser; answer `response` with the
    browser's pending cookie set (a new token unless it has one)."""
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", PENDING_FIELD}
        for value in values
    ]
    token = request.COOKIES.get(PENDING_COOKIE, "")
    if not (20 <= len(token) <= 100):
        token = secrets.token_urlsafe(32)
    digest = token_digest(token)
    PendingPost.objects.expired().delete()
    # Sent again from the pending page and signed out again: this one replaces it.
    if (resent := request.POST.get(PENDING_FIELD, "")).isdigit():
        PendingPost.objects.filter(pk=int(resent), user_id=user_id, browser_digest=digest).delete()
    PendingPost.objects.create(
        user_id=user_id,
        browser_digest=digest,
        path=request.get_full_path()[:500],
        fields=json.dumps(fields),
    )
    old = PendingPost.objects.filter(user_id=user_id, browser_digest=digest).order_by(
        "-created_at", "-pk"
    )[MAX_PENDING_PER_BROWSER:]
    PendingPost.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
    response.set_cookie(
        PENDING_COOKIE,
        token,
        max_age=int(timedelta(hours=PENDING_POST_HOURS).total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def keep_and_sign_in(request: HttpRequest, user_id: int) -> HttpResponse:
    """Keep the POST and send its author (not signed in now) to sign in, then to it."""
    messages.info(request, KEPT_MESSAGE)
    return keep_post(request, user_id, redirect(login_url(reverse("pending_posts"))))


def pending_for(request: HttpRequest):
    """The signed-in person's live pending posts from this browser."""
    return PendingPost.objects.for_browser(request.user, request.COOKIES.get(PENDING_COOKIE))


def fields_of(post: PendingPost) -> list[tuple[str, str]]:
    try:
        return [(str(name), str(value)) for name, value in json.loads(post.fields)]
    except (TypeError, ValueError):
        return []
