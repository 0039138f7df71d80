"""The app's one htmx convention (docs/architecture.md, "htmx").

Every view that htmx enhances answers through `render_page`: the whole page for
an ordinary request and for htmx's history-restore request (a cache miss after
Back, which must get the whole page), the named `{% partialdef %}` fragment for
any other htmx request. Both vary on `HX-Request`, so no cache serves one for
the other. An invalid form answers 422, a stale revision 409 and a request with
none of the form's fields 400, with or without htmx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from teams.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware and authentication leave it."""

    htmx: HtmxDetails
    user: User


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """True for an htmx request that swaps part of a page (not a history restore)."""
    htmx = getattr(request, "htmx", None)  # absent before HtmxMiddleware has run
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HtmxHttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`, or its `fragment` partial when htmx asks for part of it."""
    name = f"{template}#{fragment}" if fragment and wants_fragment(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def form_status(form: Any) -> int:
    """The status of a page that shows `form`: 422 if it has errors, else 200."""
    return 422 if form is not None and form.errors else 200
