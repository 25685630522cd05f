"""A Redis cache that fails open: when Redis is down or hung, it behaves as an empty cache.

Nothing Seminar keeps in the cache is the only copy of anything: rendered markdown can be
rendered again, and the sign-in rate limits (allauth's) are a defence that may lapse while the
cache is down rather than take every sign-in with it. So an outage is logged and each call
answers what an empty cache would: `get` its default, `add` success (allauth's lock is then
"taken" and the sign-in goes on), writes nothing.

After a failure the backend does not call Redis again for `RETRY_AFTER` seconds (5 by default,
a top-level key of the cache's settings): with a hung server, every call would otherwise wait
for the socket timeout, and a sign-in makes several.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What a refused connection or a timeout raises: redis-py wraps socket errors in its own
# ConnectionError/TimeoutError (both RedisError); OSError covers anything raw below it.
_OUTAGE = (RedisError, OSError)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._retry_after = float(params.get("RETRY_AFTER", 5))
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, fallback: T, operation: Callable[..., T], *args: Any) -> T:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return operation(*args)
        except _OUTAGE as error:
            with self._lock:
                if time.monotonic() >= self._down_until:
                    # One line per outage window, not one per call.
                    logger.warning(
                        "cache unavailable (%s); answering as an empty cache for %.0f s",
                        error,
                        self._retry_after,
                    )
                self._down_until = time.monotonic() + self._retry_after
            return fallback

    # Reads answer "not cached"; writes are dropped; `add` says it stored the value, so code
    # that uses it as a lock (allauth's rate limiter) goes on rather than waiting or refusing.

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(default, super().get, key, default, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call({}, super().get_many, list(keys), version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, super().has_key, key, version)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call(True, super().add, key, value, timeout, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call(None, super().set, key, value, timeout, version)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        # Django's contract: the keys that were not stored, here all of them.
        return self._call(list(data), super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(False, super().delete, key, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call(None, super().delete_many, list(keys), version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # As if the count started now. A missing key still raises ValueError: that is the
        # caller's mistake, not an outage.
        return self._call(delta, super().incr, key, delta, version)

    def clear(self) -> None:
        self._call(None, super().clear)
