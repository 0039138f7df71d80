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
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from security import sessions

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
                logout(request)
                messages.info(request, SIGNED_OUT_AFTER_MAX_AGE)
                login_url = reverse(settings.LOGIN_URL)
                return _redirect(request, f"{login_url}?{urlencode({'next': request.path})}")
            if now - session.get(sessions.SEEN_AT, 0) >= settings.SESSION_ACTIVITY_RESOLUTION:
                session[sessions.SEEN_AT] = now
        return self.get_response(request)


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
