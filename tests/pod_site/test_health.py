"""/healthz: JSON, without signing in, over plain http, past the MFA step."""

import json

import pytest
from django.urls import reverse

from pod_site.health import checks
from teams.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/healthz"


def test_the_url_name_is_healthz():
    assert reverse("healthz") == URL


@pytest.mark.parametrize("accept", ["*/*", "text/html", "application/json", "text/plain"])
def test_it_answers_json_without_signing_in(client, accept):
    response = client.get(URL, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["Database(alias='default')"] == "OK"
    assert set(body.values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_it_checks_the_database_and_redis_only_when_there_is_redis(settings):
    settings.REDIS_URL = None
    assert [check.__name__ for check in checks()] == ["Database"]
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert [check.__name__ for check in checks()] == ["Database", "Cache"]


def test_it_is_not_redirected_to_https_when_production_redirects_everything_else(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as production (tests turn it off)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_it_answers_someone_who_still_has_to_set_up_mfa(client):
    lead = UserFactory()
    MembershipFactory(user=lead, role=Role.TEAM_LEAD)
    client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(reverse("home")).status_code == 302  # to the MFA set-up
    assert client.get(URL).status_code == 200


def test_a_failing_check_answers_500_with_json(client, monkeypatch):
    from health_check.checks import Database
    from health_check.exceptions import ServiceUnavailable

    def refuse(self):
        raise ServiceUnavailable("unavailable")

    monkeypatch.setattr(Database, "run", refuse)

    response = client.get(URL)

    assert response.status_code == 500
    assert "unavailable" in json.loads(response.content)["Database(alias='default')"]
