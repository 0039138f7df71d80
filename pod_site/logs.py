"""Structured logs: one JSON object per line in production, with a request id.

- `RequestIdMiddleware` (first in MIDDLEWARE) takes the request id from an
  `X-Request-ID` header (a proxy's), or makes one, keeps it in a contextvar for
  the request, returns it as `X-Request-ID`, and logs one line per request:
  method, the URL pattern (not the path: no ids, no query string), status,
  duration in ms, the request id and the user's id (never an email address).
- `RequestIdFilter`, on the handler, puts that id on every record logged while
  the request runs, whichever library logs it.
- `JsonFormatter` writes each record as a JSON line: time, level, logger,
  message, request id, and any `extra={...}` fields.

What is logged is ids, names of things and outcomes: never note text, a network
reference or an email address (tests/pod_site/test_logging.py drives the main
views with marker strings and looks for them in every record).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

# A proxy's id is kept only if it looks like one: a header cannot write into the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}

request_logger = logging.getLogger("pod_site.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            line["request_id"] = record.request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def _user_id(request: HttpRequest) -> int | None:
    # Only if the request already loaded its user: logging must not cost a query.
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if wrapped.is_authenticated else None


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return request.path  # file names of the app's own static files
    return "(unmatched)"  # a mistyped path could hold anything


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            try:
                response = self.get_response(request)
            except Exception:
                # Django turns a view's exception into an error page; this is
                # for one it could not (an error page that failed in turn), so
                # the answer is still the 500 page and one logged line.
                request_logger.exception("Unhandled error while answering")
                from pod_site.errors import server_error

                response = server_error(request)
            response[REQUEST_ID_HEADER] = request_id
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": _route(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
