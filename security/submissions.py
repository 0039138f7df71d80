"""Every form that creates something creates it once, however often it is sent.

A double click, a slow connection that the browser or a proxy retries, or Back
and submit again all send the same form twice. A disabled button helps only the
first of these, and only with JavaScript, so the server decides: each render of
a create form carries a fresh random key (`{% form_key %}` from
security/templatetags/submissions.py), and `@submitted_once` lets one request
per person and key through. The second answers as if it had been the first:
a redirect to what the first one created (with a message saying so), or, for
htmx, 204 No Content, so nothing on the page changes.

The key's FormSubmission row is inserted in the same transaction as whatever
the view creates. When two requests with one key arrive together, the second
waits on the unique index until the first commits and then fails to insert:
it can never run the view while the first is still running, and it never runs
it after the first has succeeded. If the view does not succeed, its transaction
is rolled back, the key row with it, so the same form can be corrected and sent
again. Not succeeding is any answer of 400 or more (an invalid form is 422), or,
without htmx, an answer that is a page rather than a redirect: every create
view here answers a successful plain POST with a redirect (Post/Redirect/Get),
and the page it shows instead is the form again with its errors. A view that
refuses a form with a redirect and a message says so with `keep_key_usable`.

Back and submit again is the hard case: the form page is never stored by the
browser (Cache-Control: no-store), so Back renders it anew, with a new key.
So a keyed submission that sends exactly the same fields to the same address
as one this person made in the last RESUBMIT_WINDOW is taken as the same
submission too (only a digest of the fields is kept, never the fields). Two
identical creates a few minutes apart (the same response twice, the same
other work logged twice) are rarely meant; the message says what happened.

A POST with no key (a page rendered before this existed, a test, a script)
runs the view as before; so does one with a malformed key.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from security.models import FormSubmission

FORM_KEY = "form_key"
RESUBMIT_WINDOW = timedelta(minutes=5)
# Fields that differ between two sends of the same form, or are not its content.
NOT_CONTENT = {FORM_KEY, "csrfmiddlewaretoken", "pending_post"}
ALREADY_SENT = "That was already sent, so it was not sent twice."
# FormSubmission.path and result_url are 500 characters at most.
URL_LENGTH = 500


class SeeOther(HttpResponseRedirect):
    """303: after a POST, GET the page named, whatever the method was."""

    status_code = 303


def posted_form_key(request: HttpRequest) -> uuid.UUID | None:
    """The form key a signed-in person's POST carries, if it is a valid UUID."""
    if request.method != "POST" or not getattr(request.user, "is_authenticated", False):
        return None
    value = request.POST.get(FORM_KEY, "")
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def keep_key_usable(request: HttpRequest) -> None:
    """Say that this request created nothing, although it answers with a redirect."""
    request._form_key_unused = True  # type: ignore[attr-defined]


Repeated = Callable[[HttpRequest, str], HttpResponse]


def submitted_once(
    view: Callable[..., HttpResponse] | None = None,
    *,
    repeated: Repeated | None = None,
    same_content_counts: bool = True,
) -> Any:
    """Run a create view at most once per person and form key (see the module docstring).

    Goes under @login_required and the method decorators, right above the view.
    A view answering JSON (autosave creating a note) succeeds with a 2xx JSON
    answer and names what it created in Content-Location; `repeated(request,
    result_url)` then answers a second send, in JSON the page understands.

    `same_content_counts=False` leaves out the Back-and-submit-again rule: for a
    script that keeps its page's key for every retry (autosave creating a note),
    where two pages sending the same first words are two notes, and taking the
    second for the first would save one page's text over the other's.
    """
    if view is None:
        return lambda view: submitted_once(
            view, repeated=repeated, same_content_counts=same_content_counts
        )

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = posted_form_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            digest = content_digest(request)
            earlier = _same_content_lately(request, digest) if same_content_counts else None
            if earlier is not None:
                return _already_sent(request, earlier.key, repeated)
            try:
                with transaction.atomic():
                    submission = FormSubmission.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path[:URL_LENGTH],
                        content_digest=digest,
                    )
            except IntegrityError:
                return _already_sent(request, key, repeated)
            response = view(request, *args, **kwargs)
            result_url = response.get("Location") or response.get("Content-Location")
            if not _succeeded(request, response):
                transaction.set_rollback(True)
            elif result_url:
                submission.result_url = result_url[:URL_LENGTH]
                submission.save(update_fields=["result_url"])
        return response

    return wrapper


def content_digest(request: HttpRequest) -> str:
    """SHA-256 (hex) of the POSTed fields but the key and the CSRF token, in order."""
    fields = sorted(
        (name, values) for name, values in request.POST.lists() if name not in NOT_CONTENT
    )
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def _same_content_lately(request: HttpRequest, digest: str) -> FormSubmission | None:
    return (
        FormSubmission.objects.filter(
            user=request.user,
            path=request.path[:URL_LENGTH],
            content_digest=digest,
            created_at__gte=timezone.now() - RESUBMIT_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )


def _succeeded(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code >= 400 or getattr(request, "_form_key_unused", False):
        return False
    if response.get("Content-Type", "").startswith("application/json"):
        return response.status_code < 300
    if getattr(request, "htmx", False):
        return True
    return 300 <= response.status_code < 400


def _already_sent(
    request: HttpRequest, key: uuid.UUID, repeated: Repeated | None = None
) -> HttpResponse:
    first = FormSubmission.objects.filter(user=request.user, key=key).first()
    if repeated is not None and first and first.result_url:
        return repeated(request, first.result_url)
    if getattr(request, "htmx", False):
        return HttpResponse(status=204)
    messages.info(request, ALREADY_SENT)
    return SeeOther((first and first.result_url) or _referrer(request))


def _referrer(request: HttpRequest) -> str:
    """The page the form was on, if it is one of ours; else the home page."""
    referrer = request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referrer
    return "/"
