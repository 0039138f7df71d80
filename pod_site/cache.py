"""The Redis cache, degrading to this process's memory while Redis is down.

Django's RedisCache raises when Redis cannot be reached, and allauth keeps its
rate-limit counters in the cache, so with Redis down nobody could sign in or
ask for a password reset (500). django-redis's IGNORE_EXCEPTIONS does not exist
for Django's own backend, so this small subclass catches Redis's errors, logs
one WARNING when Redis goes (and one INFO line when it is back), and answers
from a local-memory cache instead. For RETRY_SECONDS after a failure it does
not try Redis at all, so a Redis that hangs costs one socket timeout (1 s)
per process every RETRY_SECONDS, not one per cache call.

What degrades: rate-limit counters (allauth's per-address throttles) are
counted per process rather than across the site while Redis is down. The
limits that matter most do not depend on the cache: django-axes's lockout and
the per-account authenticator-code limit are in the database.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30
ERRORS = (redis.RedisError, ConnectionError, OSError)

_state_lock = threading.Lock()
_down_until: dict[str, float] = {}  # per LOCATION, in this process


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = str(server)
        self._fallback = LocMemCache(
            f"pod-cache-fallback-{self._location}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", "")},
        )

    def redis_is_down(self) -> bool:
        return time.monotonic() < _down_until.get(self._location, 0)

    def _failed(self, operation: str, error: BaseException) -> None:
        with _state_lock:
            first = not self.redis_is_down()
            _down_until[self._location] = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "Redis cache unavailable; using this process's memory",
                extra={
                    "operation": operation,
                    "error": type(error).__name__,
                    "retry_seconds": RETRY_SECONDS,
                },
            )

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        was_down = _down_until.get(self._location, 0) > 0
        if self.redis_is_down():
            return getattr(self._fallback, operation)(*args, **kwargs)
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except ERRORS as error:
            self._failed(operation, error)
            return getattr(self._fallback, operation)(*args, **kwargs)
        if was_down:
            with _state_lock:
                _down_until.pop(self._location, None)
            logger.info("Redis cache is back")
        return result

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._call("clear")
