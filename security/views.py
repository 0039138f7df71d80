from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from security import pending
from security.mfa import must_use_mfa
from security.models import PENDING_POST_HOURS


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


@require_GET
def csrf_token(request: HttpRequest) -> HttpResponse:
    """A fresh CSRF token for a page that stays open, signed in or not.

    After signing in again (which rotates the token) the page fetches this and
    replaces its old token, then sends what it was sending again."""
    user = request.user
    # `user` lets a page tell whether the person who signed in is its own.
    response = JsonResponse(
        {
            "token": get_token(request),
            "signed_in": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
        }
    )
    add_never_cache_headers(response)  # Cache-Control: no-store (and max-age=0)
    return response


@login_required
@require_GET
def signed_in_again(request: HttpRequest) -> HttpResponse:
    """Where the in-page sign-in dialog's frame lands after signing in again."""
    response = render(request, "security/signed_in_again.html")
    add_never_cache_headers(response)
    return response


# Readable names for the pages a pending post was sent from.
TARGETS = {
    "reflections:new": "Starting a reflection",
    "reflections:edit": "Your reflection",
    "reflections:autosave": "Your reflection",
    "supervision:respond": "A response to a shared note",
    "supervision:review": "Marking a shared note as reviewed",
    "supervision:revoke": "Stopping a share",
    "supervision:share": "Sharing a note",
    "supervision:addendum": "An addendum to your note",
    "supervision:sessions": "A supervision session",
    "supervision:digest_preference": "Your email digest",
    "meetings:network_create": "A new network",
    "meetings:network_edit": "A network",
    "meetings:member_create": "A new network member",
    "meetings:member_edit": "A network member",
    "meetings:meeting_create": "A new meeting",
    "meetings:meeting_edit": "A meeting",
    "meetings:activity_create": "Other work",
}
# Form fields that are not text a person typed (shown only inside "Send it now").
TECHNICAL_FIELDS = {"revision", "_fields", "action", "form_key", pending.PENDING_FIELD}


def _target(path: str) -> str:
    try:
        name = resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        name = ""
    return TARGETS.get(name, "A form")


def _texts(fields: list[tuple[str, str]]) -> list[str]:
    """What a person typed: the non-empty values that are not ids, numbers or flags."""
    return [
        value
        for name, value in fields
        if name not in TECHNICAL_FIELDS and value.strip() and not value.strip().isdigit()
    ]


@login_required
@require_GET
def pending_posts(request: HttpRequest) -> HttpResponse:
    """What I sent from this browser while signed out, to send again or discard."""
    posts = []
    for post in pending.pending_for(request).order_by("-created_at", "-pk"):
        fields = pending.fields_of(post)
        posts.append(
            {
                "pk": post.pk,
                "created_at": post.created_at,
                "path": post.path,
                "target": _target(post.path),
                "fields": fields,
                "texts": _texts(fields),
            }
        )
    context = {"posts": posts, "hours": PENDING_POST_HOURS}
    response = render(request, "security/pending_posts.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def discard_pending_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of my pending posts from this browser; anyone else's is a 404."""
    post = get_object_or_404(pending.pending_for(request), pk=pk)
    post.delete()
    messages.success(request, "What you sent has been discarded.")
    return redirect("pending_posts")


CSRF_FAILED_MESSAGE = (
    "This page's security token is out of date, usually because you signed in again "
    "in another tab. Nothing was saved: fetch a fresh token and send it again."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a stale token need not cost what was typed.

    - htmx or fetch(): 403 JSON {"state": "csrf_failed", "message": ...} with
      `X-CSRF-Failed: true`; the page fetches a fresh token and sends again.
    - A plain form POST to one of the app's views, from our own origin (Origin
      header present, and already verified by Django), failing only by its token,
      from a person we know (signed in, or named by the "who" cookie): kept as a
      PendingPost and offered on the pending page.
    - Anything else: the friendly 403 page (templates/403_csrf.html).
    """
    if getattr(request, "security_csrf_probe", False):
        # security.pending.csrf_allows_keeping is asking: just note the reason.
        request.security_csrf_reason = reason  # type: ignore[attr-defined]
        return HttpResponse(status=403)
    if pending.wants_status(request):
        response: HttpResponse = JsonResponse(
            {"state": "csrf_failed", "message": CSRF_FAILED_MESSAGE}, status=403
        )
        response["X-CSRF-Failed"] = "true"
        response["HX-Reswap"] = "none"
        add_never_cache_headers(response)
        patch_vary_headers(response, ["HX-Request", "Accept"])
        return response
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if pending.is_token_only_failure(request, reason) and pending.keepable_view(request):
        if signed_in:
            messages.info(
                request,
                "This page was open from before you signed in again, so what you sent "
                "was not saved yet. It is kept here: check it and send it.",
            )
            return pending.keep_post(request, user.pk, redirect("pending_posts"))
        if (user_id := pending.who_cookie_user_id(request)) is not None:
            return pending.keep_and_sign_in(request, user_id)
    return render(request, "403_csrf.html", status=403)
