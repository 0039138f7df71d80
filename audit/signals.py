"""Sign-in events in the audit trail: sign-ins, failed sign-ins, sign-outs and
changes to a person's multi-factor authentication.

A failed sign-in keeps no password and no email address: the attempted
username is personal data (and often someone else's address mistyped), so only
a keyed hash of it is kept, enough to see repeated attempts on one account.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

from audit.models import Action, AuditEvent

_HASH_SALT = "audit.login_failed.username"


def username_hash(username: str) -> str:
    """The same for one address (any case), different per installation (SECRET_KEY)."""
    return salted_hmac(_HASH_SALT, username.strip().lower(), algorithm="sha256").hexdigest()[:32]


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    AuditEvent.objects.record(user, Action.LOGIN)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:  # None when the session had already ended
        AuditEvent.objects.record(user, Action.LOGOUT)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    username = credentials.get("email") or credentials.get("username")
    detail = {"stage": "password"}
    if isinstance(username, str) and username.strip():
        detail["username_hash"] = username_hash(username)
    AuditEvent.objects.record(None, Action.LOGIN_FAILED, detail=detail)


def on_mfa_failed(
    sender: Any, request: Any, user: Any, authenticator: Any = None, **_: Any
) -> None:
    # The password was right: the account is known, so the actor is recorded.
    AuditEvent.objects.record(user, Action.LOGIN_FAILED, detail={"stage": "mfa"})


def _mfa_change(change: str):
    def receiver(sender: Any, request: Any, user: Any, authenticator: Any, **_: Any) -> None:
        AuditEvent.objects.record(
            user, Action.MFA_CHANGED, detail={"change": change, "type": authenticator.type}
        )

    return receiver


on_authenticator_added = _mfa_change("added")
on_authenticator_removed = _mfa_change("removed")
on_authenticator_reset = _mfa_change("reset")


def connect() -> None:
    from allauth.mfa import signals as mfa
    from django.contrib.auth import signals as auth

    auth.user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    auth.user_logged_out.connect(on_logged_out, dispatch_uid="audit.logout")
    auth.user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    mfa.authentication_failed.connect(on_mfa_failed, dispatch_uid="audit.mfa_failed")
    mfa.authenticator_added.connect(on_authenticator_added, dispatch_uid="audit.mfa_added")
    mfa.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="audit.mfa_removed")
    mfa.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="audit.mfa_reset")
