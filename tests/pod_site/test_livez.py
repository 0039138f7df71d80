"""/livez: liveness. 200 "ok" as text, through the whole middleware stack,
without signing in, over plain http, and without the database or the cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

URL = "/livez"


def test_the_url_name_is_livez():
    assert reverse("livez") == URL


@pytest.mark.parametrize("accept", ["*/*", "text/html", "application/json"])
def test_it_answers_ok_as_text_without_signing_in(client, accept):
    response = client.get(URL, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_it_goes_through_the_whole_middleware_stack(client):
    response = client.get(URL)

    # Set by the first middleware (request id), by CSP and by the clickjacking guard.
    assert response["X-Request-ID"]
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_it_touches_neither_the_database_nor_the_cache(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("/livez used the cache")

    for method in ("get", "set", "add", "delete", "get_many", "incr"):
        monkeypatch.setattr(cache, method, refuse)

    # No django_db mark: pytest-django makes any query raise.
    response = client.get(URL)

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_is_not_redirected_to_https_when_production_redirects_everything_else(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as production (tests turn it off)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_only_safe_methods(client):
    assert client.post(URL).status_code == 405
