"""Graceful degradation: sign-in and password reset while Redis or the mail
server is down, undecodable forms, and error pages that are always answered
in the design system and logged as one JSON line with the request id."""

import json
import logging

import pytest
import redis
from django.test import Client, RequestFactory
from django.urls import reverse

from pod_site import cache as fallback_cache
from pod_site.errors import server_error
from pod_site.logs import RequestIdMiddleware
from tests.factories import PASSWORD, UserFactory
from tests.pod_site.test_logging import captured  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_is_down(settings, monkeypatch):
    """Production's cache backend, pointed at a Redis that refuses every connection."""
    settings.CACHES = {
        "default": {"BACKEND": "pod_site.cache.FallbackRedisCache", "LOCATION": UNREACHABLE}
    }
    fallback_cache._down_until.clear()
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(self)
        raise redis.ConnectionError("Redis is down (test)")

    with monkeypatch.context() as patch:
        patch.setattr(redis.connection.AbstractConnection, "connect", refuse)
        yield attempts
    fallback_cache._down_until.clear()


def request_lines(captured):  # noqa: F811
    return [json.loads(line) for line in captured.lines if '"pod_site.request"' in line]


def test_signing_in_works_while_redis_is_down(redis_is_down, client, captured):  # noqa: F811
    person = UserFactory(email="sam@example.org")

    wrong = client.post(reverse("account_login"), {"login": person.email, "password": "nope"})
    right = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert wrong.status_code == 200
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert redis_is_down  # it did try Redis, and fell back
    warnings = [r for r in captured.records if r.name == "pod_site.cache"]
    assert [r.levelname for r in warnings] == ["WARNING"]  # once, not once per call
    assert "sam@example.org" not in "\n".join(captured.lines)


def test_password_reset_works_while_redis_is_down(redis_is_down, client, mailoutbox):
    person = UserFactory(email="sam@example.org")

    response = client.post(reverse("account_reset_password"), {"email": person.email})

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["sam@example.org"]]


def test_password_reset_with_the_mail_server_down_says_so(client, settings, captured):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    person = UserFactory(email="sam@example.org")

    response = client.post(reverse("account_reset_password"), {"email": person.email})

    assert response.status_code == 503
    assert "We could not send the email just now" in response.content.decode()
    logged = [r for r in captured.records if r.name == "security.password_reset"]
    assert len(logged) == 1 and logged[0].levelname == "WARNING"
    assert "sam@example.org" not in "\n".join(captured.lines)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded; charset=latin-1", "login=caf\xe9".encode("latin-1")),
        ("application/x-www-form-urlencoded; charset=bogus", b"login=a&password=b"),
        ("application/x-www-form-urlencoded", "login=caf\xe9".encode("latin-1")),
    ],
)
@pytest.mark.parametrize("path", ["/accounts/login/", "/networks/new/", "/no-such-page/"])
def test_a_form_that_is_not_utf_8_is_a_400_in_the_design_system(
    content_type,
    body,
    path,
    captured,  # noqa: F811
):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse("account_login"))  # a CSRF cookie, as a browser has

    response = client.generic("POST", path, body, content_type=content_type)

    assert response.status_code in {400, 403, 404, 200}
    assert response.status_code != 500
    assert "<html" in response.content.decode()
    [line] = [line for line in request_lines(captured) if line["method"] == "POST"]
    assert line["status"] == response.status_code
    assert line["request_id"] == response["X-Request-ID"]


def test_a_latin_1_form_is_refused_with_the_400_page(captured):  # noqa: F811
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse("account_login"))

    response = client.generic(
        "POST",
        reverse("account_login"),
        "login=caf\xe9".encode("latin-1"),
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )

    assert response.status_code == 400
    assert "We could not accept what you sent" in response.content.decode()


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (403, "You cannot see this page"),
        (404, "Page not found"),
        (500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_are_in_the_design_system_and_logged(
    status,
    text,
    login,
    author,
    monkeypatch,
    captured,  # noqa: F811
):
    from django.core.exceptions import PermissionDenied

    from pod_site import health

    def fail(*args, **kwargs):
        raise PermissionDenied if status == 403 else RuntimeError("boom")

    if status in {403, 500}:
        monkeypatch.setattr(health.HealthView, "get", fail)
    client = login(author)
    client.raise_request_exception = False

    response = client.get("/healthz" if status in {403, 500} else "/no-such-page/")

    assert response.status_code == status
    assert text in response.content.decode()
    assert "nhsuk-header" in response.content.decode()
    [line] = request_lines(captured)
    assert (line["status"], line["request_id"]) == (status, response["X-Request-ID"])


def test_the_500_page_needs_no_database_and_no_request(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(None)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_an_error_that_escapes_django_is_still_a_logged_500(captured):  # noqa: F811
    def broken(request):
        raise RuntimeError("an error page failed")

    response = RequestIdMiddleware(broken)(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    lines = request_lines(captured)
    assert [line["level"] for line in lines] == ["ERROR", "INFO"]
    assert lines[1]["status"] == 500
    assert lines[0]["request_id"] == lines[1]["request_id"] == response["X-Request-ID"]
    assert logging.getLogger("pod_site.request")
