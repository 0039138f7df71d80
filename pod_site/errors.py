"""The error pages: 400, 403, 404 and 500, in the design system.

Django's own handlers run CSRF processing again before rendering
(`requires_csrf_token`), which reads the POST body: a form posted with a
charset that is not UTF-8 then raised a second time while its 400 was being
rendered, and the answer was a bare 500 outside the JSON log. These render the
same templates without touching the body. 400.html and 500.html extend the
bare page shell and are rendered with no context and no request (neither the
database nor a broken request is needed); 403.html and 404.html extend
base.html for the navigation. Every answer is one `pod_site.request` log line
with its status and request id (pod_site/logs.py).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

PLAIN_500 = (
    "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
    "<title>Sorry, there is a problem with the service</title></head><body>"
    "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></body></html>"
)


def _bare(template: str, status: int) -> HttpResponse:
    return HttpResponse(loader.get_template(template).render(), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _bare("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    try:
        return _bare("500.html", 500)
    except Exception:  # the templates themselves are broken: still answer plainly
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(PLAIN_500, status=500)
