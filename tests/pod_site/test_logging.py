"""Structured logs: a request id on every line, one line per request, and no
note text, network reference or email address anywhere in the logs."""

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import Network
from pod_site.logs import JsonFormatter, RequestIdFilter, request_id_var
from reflections.models import Reflection
from teams.models import Role, SupervisionLink
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    ReflectionFactory,
    UserFactory,
)
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

MARKER = "zq7marker"


class Capture(logging.Handler):
    """Every record from every logger, formatted as production formats it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    saved = {}
    # As with LOG_LEVEL=DEBUG: the root logger at DEBUG, and every logger at
    # the level settings.LOGGING gives it (or the root's); loggers that keep
    # their records to themselves pass them up here too.
    for name, logger in [("", root), *logging.root.manager.loggerDict.items()]:
        if isinstance(logger, logging.Logger):
            saved[name] = (logger.level, logger.propagate, logger.disabled)
            if name == "":
                logger.setLevel(logging.DEBUG)
            elif name not in settings.LOGGING.get("loggers", {}):
                logger.setLevel(logging.NOTSET)
            logger.propagate = True
            logger.disabled = False
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    for name, (level, propagate, disabled) in saved.items():
        logger = root if name == "" else logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = propagate
        logger.disabled = disabled


def test_each_request_gets_an_id_on_the_response_and_in_one_log_line(client, captured):
    response = client.get(reverse("healthz"))

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = [json.loads(line) for line in captured.lines]
    request_lines = [line for line in lines if line["logger"] == "pod_site.request"]
    assert len(request_lines) == 1
    assert request_lines[0] == {
        **request_lines[0],
        "message": "request",
        "request_id": request_id,
        "method": "GET",
        "route": "/healthz",
        "status": 200,
        "user_id": None,
    }
    assert isinstance(request_lines[0]["duration_ms"], float)
    assert request_id_var.get() is None  # nothing leaks into the next request


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123.X_y")["X-Request-ID"] == "abc-123.X_y"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected\n')["X-Request-ID"]
    assert len(forged) == 32 and "injected" not in forged


def test_the_request_line_names_the_route_and_user_not_the_path_or_query(login, author, captured):
    note = ReflectionFactory(author=author)
    login(author).get(reverse("reflections:detail", args=[note.pk]) + f"?q={MARKER}")

    line = next(json.loads(line) for line in captured.lines if '"pod_site.request"' in line)
    assert line["route"] == "/reflections/<int:pk>/"
    assert line["user_id"] == author.pk
    assert MARKER not in json.dumps(line)


def test_json_lines_carry_extra_fields_and_exceptions():
    record = logging.LogRecord("x", logging.ERROR, "f.py", 1, "sent %s", ("ok",), None)
    record.supervisor_id = 7
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "sent ok"
    assert line["supervisor_id"] == 7
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]


def test_no_note_text_network_reference_or_email_address_is_logged(
    client, login, team, author, meeting, my_supervisor, captured
):
    # Signing in, with a wrong password first (django-axes and allauth log those).
    person = UserFactory(email=f"{MARKER}.person@example.org")
    client.post(reverse("account_login"), {"login": person.email, "password": "wrong-password"})
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    client.post(reverse("account_logout"))

    author_client = login(author)
    # A network with a marker reference; and one that clashes with it (an error).
    author_client.post(
        reverse("meetings:network_create"),
        {"reference": f"{MARKER}net", "person_name": f"{MARKER}kai", "opened_on": "2026-01-05"},
    )
    # Made directly: factory_boy's own debug log of a post-generation hook names it.
    Network.objects.create(team=team, reference=f"{MARKER}two")
    author_client.post(
        reverse("meetings:network_create"),
        {"reference": f"{MARKER}two", "person_name": f"{MARKER}kai", "opened_on": "2026-01-05"},
    )
    # A reflection: autosaved, finished, shared with the supervisor, and read by them.
    text = {
        "text": f"{MARKER} text",
        "note_attunement": f"{MARKER} note",
        "presence_attunement": "clearly",
    }
    # Its first autosave creates it.
    author_client.post(
        reverse("reflections:create_autosave"), form_data(**text, meeting=str(meeting.pk))
    )
    note = Reflection.objects.get(author=author)
    author_client.post(
        reverse("reflections:autosave", args=[note.pk]), form_data(**text), HTTP_HX_REQUEST="true"
    )
    note.refresh_from_db()  # the autosave moved its revision on
    author_client.post(
        reverse("reflections:edit", args=[note.pk]),
        form_data(**text, action="finish", revision=note.revision),
    )
    author_client.post(
        reverse("supervision:share", args=[note.pk]), {"supervisors": [my_supervisor.pk]}
    )
    author_client.get(reverse("reflections:timeline") + f"?q={MARKER}")
    author_client.get(reverse("reflections:export_json"))
    supervisor_client = login(my_supervisor)
    share = note.shares.get()
    supervisor_client.get(reverse("supervision:share_detail", args=[share.pk]))
    supervisor_client.post(
        reverse("supervision:respond", args=[share.pk]), {"text": f"{MARKER} reply"}
    )

    assert Reflection.objects.get(pk=note.pk).text == f"{MARKER} text"  # the views did run
    assert len(captured.records) > 10
    for line in captured.lines:
        assert MARKER not in line.lower()
        assert "@example.org" not in line


@pytest.fixture
def my_supervisor(team, author):
    supervisor = UserFactory(email="the.supervisor@example.org")
    MembershipFactory(user=supervisor, team=team, role=Role.SUPERVISOR)
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=30)
    )
    return supervisor
