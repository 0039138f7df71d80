"""Session time limits kept in the session itself, so that checking them on
every request costs no database query.

- Idle timeout: SESSION_COOKIE_AGE (30 minutes). The database session expires
  that long after it was last saved; activity re-saves it at most once every
  SESSION_ACTIVITY_RESOLUTION seconds, so a session idle for between 29 and 30
  minutes is ended server-side (the database backend ignores expired rows).
- Absolute limit: SESSION_MAX_AGE (12 hours) after sign-in, however active.
- MFA: whether this session still needs MFA set up, re-checked every
  MFA_RECHECK_SECONDS and whenever an authenticator is added or removed.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from security.mfa import needs_mfa_setup

SIGNED_IN_AT = "security_signed_in_at"
SEEN_AT = "security_seen_at"
MFA_SETUP_NEEDED = "security_mfa_setup_needed"
MFA_CHECKED_AT = "security_mfa_checked_at"


def now() -> int:
    return int(time.time())


def record_mfa_state(session: SessionBase, user: Any) -> bool:
    needed = needs_mfa_setup(user)
    session[MFA_SETUP_NEEDED] = needed
    session[MFA_CHECKED_AT] = now()
    return needed


def stamp_new_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On every sign-in (the form, allauth's MFA stage, or a test's force_login)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[SIGNED_IN_AT] = session[SEEN_AT] = now()
    record_mfa_state(session, user)


def refresh_mfa_state(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """After an authenticator is added or removed (allauth.mfa signals)."""
    session = getattr(request, "session", None)
    if session is not None and getattr(request, "user", None) == user:
        record_mfa_state(session, user)


def tell_of_new_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """After a sign-in through the sign-in pages (allauth's signal; not a test's
    force_login): a content-free email, so someone whose password is used by
    another person hears of it. A mail server that is down does not stop the
    sign-in: the adapter logs the failure and carries on (teams/adapters.py)."""
    from allauth.account.adapter import get_adapter

    get_adapter(request).send_notification_mail("account/email/signed_in", user)
