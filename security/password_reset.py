"""allauth's password reset, saying so when the email cannot be sent.

allauth sends the email inside the request; with the mail server down the
send raises and the person got a 500. Here the failure is caught and logged
(the error's type only, never the address), and the form comes back (503)
with a plain message: nothing was sent, try again later or ask an admin.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.views import PasswordResetView
from django.http import HttpResponse

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError)
NOT_SENT = (
    "We could not send the email just now, so no reset link is on its way. "
    "Try again in a few minutes. If it keeps happening, ask your team's administrator."
)


class SafePasswordResetView(PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except SEND_ERRORS as error:
            logger.warning(
                "Password reset email could not be sent", extra={"error": type(error).__name__}
            )
            form.add_error(None, NOT_SENT)
            response = self.form_invalid(form)
            response.status_code = 503
            return response


password_reset = SafePasswordResetView.as_view()
