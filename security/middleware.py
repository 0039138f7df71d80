"""Per-request enforcement of the session limits and of required MFA.

Both read only the session (see security/sessions.py): no database query on an
ordinary request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from security import pending, sessions

# Pages a person who must set up MFA can still reach: the set-up itself, the
# password and code checks allauth asks for before it, and signing out.
MFA_SETUP_ALLOWED = {
    "mfa_activate_totp",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_login",
    "account_logout",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    # A fresh CSRF token for a page that stays open (security/views.py).
    "csrf_token",
    # The health check, which a probe may call with any cookie.
    "healthz",
}


SIGNED_OUT_AFTER_MAX_AGE = (
    "You have been signed in for a long time, so you were signed out. Sign in again to carry on."
)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    # An htmx request that got a 302 would swap the next page into a fragment.
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionLimitsMiddleware:
    """Ends a session 12 hours (SESSION_MAX_AGE) after sign-in, and keeps an
    active session alive with at most one save every SESSION_ACTIVITY_RESOLUTION
    seconds (instead of SESSION_SAVE_EVERY_REQUEST's write on every request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = sessions.now()
            signed_in_at = session.get(sessions.SIGNED_IN_AT)
            if signed_in_at is None:
                # A session from before this middleware: its limit starts now.
                session[sessions.SIGNED_IN_AT] = signed_in_at = now
            if now - signed_in_at >= settings.SESSION_MAX_AGE:
                return self._end(request)
            if now - session.get(sessions.SEEN_AT, 0) >= settings.SESSION_ACTIVITY_RESOLUTION:
                session[sessions.SEEN_AT] = now
                # The "who" cookie lasts SESSION_MAX_AGE from the latest activity.
                request.security_activity_recorded = True  # type: ignore[attr-defined]
        return self.get_response(request)

    def _end(self, request: HttpRequest) -> HttpResponse:
        """Sign out after SESSION_MAX_AGE, without losing the page or the POST."""
        user_id = request.user.pk
        logout(request)
        messages.info(request, SIGNED_OUT_AFTER_MAX_AGE)
        if pending.wants_status(request):
            # htmx or fetch(): a 401 leaves the page, and the text on it, alone.
            return pending.signed_out_response(request)
        if request.method == "POST":
            view = pending.keepable_view(request)
            if view is not None and pending.csrf_allows_keeping(request, view):
                return pending.keep_post(
                    request, user_id, redirect(pending.login_url(reverse("pending_posts")))
                )
            # Not kept: after sign-in, a GET to a POST-only address would be a 405.
            return redirect(pending.login_url())
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")


class MFARequiredMiddleware:
    """A person who must use MFA (security/mfa.py) and has not set it up reaches
    only the MFA set-up page, the pages it needs, and signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and self._setup_needed(request):
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in MFA_SETUP_ALLOWED:
                return _redirect(request, reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _setup_needed(self, request: HttpRequest) -> bool:
        session = request.session
        checked_at = session.get(sessions.MFA_CHECKED_AT)
        if (
            checked_at is None
            # Until it is set up, every request looks again (the person is on
            # the set-up page anyway): the moment it is on, they carry on.
            or session.get(sessions.MFA_SETUP_NEEDED)
            # Roles change: someone made a supervisor mid-session is caught here.
            or sessions.now() - checked_at >= settings.MFA_RECHECK_SECONDS
        ):
            return sessions.record_mfa_state(session, request.user)
        return False


class EndedSessionMiddleware:
    """What happens to a request whose session has ended (security/pending.py).

    - An htmx or fetch() request that a view would redirect to sign-in gets a 401
      instead (`pending.signed_out_response`), so every @login_required view
      answers them the same way.
    - A plain form POST to one of the app's views, from someone not signed in
      whose "who" cookie names them and whose CSRF check passes, is kept as a
      PendingPost and the person is sent to sign in, then to the pending page.
    - Responses to signed-in requests carry the "who" cookie (set when missing,
      for another person, or once a minute with the activity stamp: no query);
      signing out deliberately removes it.
    - A pending post sent again from the pending page ("Send it now") is deleted
      once the view accepts it.

    After AuthenticationMiddleware, SessionLimitsMiddleware and MFARequiredMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            if pending.wants_status(request) and pending.is_login_redirect(response):
                return pending.signed_out_response(request)
            match = request.resolver_match
            if match is not None and match.url_name == "account_logout":
                pending.delete_who_cookie(response)
            return response
        if (
            pending.who_cookie_user_id(request) != user.pk
            or getattr(request, "security_activity_recorded", False)
        ) and not response.cookies.get(pending.WHO_COOKIE):
            pending.set_who_cookie(response, user.pk)
        if (
            request.method == "POST"
            and response.status_code < 400
            and request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}
        ):
            sent = request.POST.get(pending.PENDING_FIELD, "")
            if sent.isdigit():
                pending.pending_for(request).filter(pk=int(sent)).delete()
        return response

    def process_view(
        self, request: HttpRequest, callback: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        if request.method != "POST" or request.user.is_authenticated:
            return None
        view = pending.keepable_view(request)
        if view is None:
            return None
        user_id = pending.who_cookie_user_id(request)
        if user_id is None or not pending.csrf_allows_keeping(request, view):
            return None
        return pending.keep_and_sign_in(request, user_id)


class NoStoreMiddleware:
    """Every dynamic answer is `Cache-Control: no-store, private`: no browser
    cache, back/forward cache or proxy keeps a page that may hold a note, a
    name or a CSRF token, so Back after sign-out cannot show one. Static files
    never reach this (whitenoise answers them first, with long-lived caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
