from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from security.mfa import must_use_mfa


@login_required
@require_GET
def account_security(request: HttpRequest) -> HttpResponse:
    """One place for two-step verification, signed-in sessions and the password."""
    types = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    return render(
        request,
        "security/account_security.html",
        {
            "has_totp": Authenticator.Type.TOTP in types,
            "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in types,
            "must_use_mfa": must_use_mfa(request.user),
            "session_count": len(UserSession.objects.purge_and_list(request.user)),
        },
    )


@login_required
@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one of my sessions (allauth's own page ends all the others at once).

    Someone else's session is a 404, as if it did not exist."""
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        # This session: the ordinary sign-out page, which asks to confirm.
        return redirect("account_logout")
    get_adapter().end_sessions([session])
    messages.success(request, "That session has been signed out.")
    return redirect("usersessions_list")
