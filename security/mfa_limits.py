"""A per-account limit on authenticator codes, whatever the address.

allauth checks codes against a rate limit keyed on the account, but the action
it uses ("login_failed") is the password stage's too, and that stage's
per-account limit is dropped on purpose (settings.py: anyone who knows an email
address could lock its owner out). What stays is per address, so someone who
knows the password could try codes from many addresses. Here, after
MFA_FAILURE_LIMIT wrong codes for one account within MFA_LOCKOUT_MINUTES, no
code is checked for that account for MFA_LOCKOUT_MINUTES from the lock, from
any address: the code page says so plainly (HTTP 429), and the lock is an
`mfa_locked` AuditEvent. Only someone who has the password reaches this step,
so a stranger cannot lock a person out.

The count is of the audit trail's own `login_failed` rows at the `mfa` stage
(written for each wrong code by audit/signals.py), since the later of the window's
start, the last lock and the last successful sign-in: the database, not the
cache, so the limit holds across processes and while Redis is down. The check
and the count run with the person's row locked, so codes sent in parallel are
counted one after another.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.base.views import AuthenticateView, ReauthenticateView
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone

from audit.models import Action, AuditEvent


def _minutes() -> int:
    return settings.MFA_LOCKOUT_MINUTES


def locked_until(user: Any, now: datetime) -> datetime | None:
    """When the current lock on the person's codes ends, or None if there is none."""
    cooloff = timedelta(minutes=_minutes())
    last_lock = (
        AuditEvent.objects.filter(actor=user, action=Action.MFA_LOCKED, at__gt=now - cooloff)
        .aggregate(last=Max("at"))
        .get("last")
    )
    return last_lock + cooloff if last_lock else None


def recent_failures(user: Any, now: datetime) -> int:
    """Wrong codes since the window started, the last lock and the last sign-in."""
    since = now - timedelta(minutes=_minutes())
    resets = AuditEvent.objects.filter(
        actor=user, action__in=[Action.MFA_LOCKED, Action.LOGIN], at__gt=since
    ).aggregate(last=Max("at"))["last"]
    if resets is not None:
        since = resets
    return AuditEvent.objects.filter(
        actor=user, action=Action.LOGIN_FAILED, detail__stage="mfa", at__gt=since
    ).count()


def lock_message(until: datetime) -> str:
    return (
        f"Too many wrong codes. To keep your account safe, codes are not checked for "
        f"{_minutes()} minutes after {settings.MFA_FAILURE_LIMIT} wrong ones. "
        f"Try again after {timezone.localtime(until):%H:%M}. If you did not try to sign "
        "in, change your password."
    )


class LimitedCodeMixin(forms.Form):
    """clean_code, refused while the account is locked, and a lock after too many."""

    locked_until: datetime | None = None

    def clean_code(self) -> str:
        user = self.user  # type: ignore[attr-defined]
        refusal: forms.ValidationError | None = None
        # The refusal is raised after the block: raising inside it would roll
        # back the audit row that records the wrong code.
        with transaction.atomic():
            # One code at a time per person: parallel guesses wait and are counted.
            type(user).objects.select_for_update().filter(pk=user.pk).first()
            now = timezone.now()
            if until := locked_until(user, now):
                self.locked_until = until
                refusal = forms.ValidationError(lock_message(until), code="mfa_locked")
            else:
                try:
                    code = super().clean_code()  # type: ignore[misc]
                except forms.ValidationError as error:
                    refusal = error
                    if getattr(error, "code", None) == "incorrect_code":
                        self._lock_if_too_many(user, now)
        if refusal is not None:
            raise refusal
        return code

    def _lock_if_too_many(self, user: Any, now: datetime) -> None:
        failures = recent_failures(user, now)
        if failures >= settings.MFA_FAILURE_LIMIT:
            AuditEvent.objects.record(
                user, Action.MFA_LOCKED, detail={"failures": failures, "minutes": _minutes()}
            )


class LimitedAuthenticateForm(LimitedCodeMixin, AuthenticateForm):
    pass


class LimitedReauthenticateForm(LimitedCodeMixin, ReauthenticateForm):
    pass


class _LockedIs429:
    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)  # type: ignore[misc]
        if getattr(form, "locked_until", None):
            response.status_code = 429
        return response


class LimitedAuthenticateView(_LockedIs429, AuthenticateView):
    pass


class LimitedReauthenticateView(_LockedIs429, ReauthenticateView):
    pass


authenticate = LimitedAuthenticateView.as_view()
reauthenticate = LimitedReauthenticateView.as_view()
