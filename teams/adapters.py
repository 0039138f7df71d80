import logging
import re
import smtplib
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.http import HttpRequest

from teams.landing import landing_url

logger = logging.getLogger(__name__)

# What a mail server that is down raises (as in security/password_reset.py).
SEND_ERRORS = (smtplib.SMTPException, OSError)


class _Site:
    """What allauth's templates call `current_site`: the service, not the request's host."""

    def __init__(self) -> None:
        self.name = settings.SERVICE_NAME
        self.domain = urlsplit(settings.SITE_URL).netloc

    def __str__(self) -> str:
        return self.name


def on_site_url(url: str) -> str:
    """`url` (absolute, built from the request's host, or a path) moved onto SITE_URL."""
    bits = urlsplit(url)
    path = bits.path + (f"?{bits.query}" if bits.query else "")
    return settings.SITE_URL + path


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are made by an admin, never by open sign-up.

    allauth's account and MFA emails speak in the app's voice: the templates
    in templates/account/email/ and templates/mfa/email/ (text and HTML), with
    the service name and links built on SITE_URL, never on the request's host
    (which is whatever the browser or a proxy sent)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each role lands where its work is (teams/landing.py). allauth asks
        this only when the sign-in carries no `next`, so an explicit `next`
        (the in-page sign-in dialog's /accounts/security/signed-in/) wins."""
        return landing_url(request)

    def is_safe_url(self, url: str | None) -> bool:
        """A `next` (after signing in or out, or reauthenticating) is followed only
        if it is a path on this site ("/" then no second "/" or "\\", the rule of
        pod_site/redirects.py, which teams, the ground floor, does not import) that
        allauth's own check also passes; else it is ignored."""
        if not url or not url.startswith("/") or url[1:2] in ("/", "\\"):
            return False
        return super().is_safe_url(url)

    # Emails ------------------------------------------------------------------

    def format_email_subject(self, subject: str) -> str:
        """Like the digest's: "Reset your password · POD Reflect"."""
        return f"{subject} · {settings.SERVICE_NAME}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's, but the site is the service, not the request's host: this
        also sends when there is no request (a notification sent on commit)."""
        ctx = {"request": allauth_context.request, "email": email, **context}
        ctx |= {
            "current_site": _Site(),
            "service_name": settings.SERVICE_NAME,
            "site_url": settings.SITE_URL,
        }
        self.render_mail(template_prefix, email, ctx).send()

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers)
        if message.content_subtype == "plain":
            # Template tags on lines of their own leave blank lines; keep one at most.
            message.body = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", message.body).strip() + "\n"
        return message

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site_url(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return on_site_url(super().get_email_confirmation_url(request, emailconfirmation))

    def send_notification_mail(
        self,
        template_prefix: str,
        user: AbstractBaseUser,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        """A security notification ("your password was changed") is news of a
        change already made: a mail server that is down must not undo or
        fail the change, so the failure is logged (its type only) and passed."""
        try:
            super().send_notification_mail(template_prefix, user, context, email)
        except SEND_ERRORS as error:
            logger.warning(
                "Account notification email could not be sent",
                extra={"template": template_prefix, "error": type(error).__name__},
            )
