"""django-axes hooks: what counts as "the username" and "the IP address".

allauth signs people in with their email address, posted as `login` and passed
to authenticate() as `email`; axes looks for `username` unless told otherwise.
The IP address is the one allauth uses for its own rate limits
(ALLAUTH_TRUSTED_PROXY_COUNT), so both agree on who the client is and a client
cannot choose its address with a forged X-Forwarded-For header.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("login") or data.get("email")
    if not isinstance(value, str) or not value.strip():
        return None
    # Bob@Example.org and bob@example.org are one account: one counter.
    return value.strip().lower()


def client_ip(request: HttpRequest) -> str | None:
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        # No address at all: only a request made in code (a test's force_login).
        return None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The lockout page, in the design system, saying how long to wait."""
    return render(
        request,
        "axes/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
