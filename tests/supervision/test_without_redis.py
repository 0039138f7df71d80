"""Web requests never talk to Redis: a note is saved and shared while Redis is down."""

import time

import pytest
import redis
from django.urls import reverse

from reflections.models import Status
from supervision.models import Share
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: any attempt to reach "Redis" there fails.
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_is_down(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE,
        }
    }
    settings.CELERY_BROKER_URL = UNREACHABLE
    attempts = []

    def refuse(self, *args, **kwargs):
        attempts.append(self)
        raise redis.ConnectionError("Redis is down (test)")

    # Undone when this fixture ends, before the shared fixture that clears the
    # (real) cache after each test runs.
    with monkeypatch.context() as patch:
        patch.setattr(redis.connection.AbstractConnection, "connect", refuse)
        yield attempts


def test_saving_and_sharing_a_note_works_without_redis(
    redis_is_down, login, author, supervisor, meeting
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    reflection = ReflectionFactory(author=author, meeting=meeting, text="")
    client = login(author)
    started = time.monotonic()

    saved = client.post(
        reverse("reflections:edit", args=[reflection.pk]),
        form_data(text="Written while Redis was down.", action="finish"),
    )
    shared = client.post(
        reverse("supervision:share", args=[reflection.pk]), {"supervisors": [supervisor.pk]}
    )

    elapsed = time.monotonic() - started
    assert (saved.status_code, shared.status_code) == (302, 302)
    reflection.refresh_from_db()
    assert (reflection.text, reflection.status) == ("Written while Redis was down.", Status.FINAL)
    assert Share.objects.filter(reflection=reflection, supervisor=supervisor).exists()
    assert redis_is_down == []  # no request even tried to reach Redis
    # A sanity bound, not a speed target: a request that waited on Redis would hang.
    assert elapsed < 5


def test_the_fixture_really_stands_in_for_a_dead_redis(redis_is_down):
    from django.core.cache import cache

    with pytest.raises(redis.ConnectionError):
        cache.get("anything")
    assert len(redis_is_down) == 1
