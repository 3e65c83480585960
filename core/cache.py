"""Django's Redis cache, failing open: if Redis is away, reads miss and writes drop.

A cache is an optimisation, so a Redis that is down or slow must not turn pages into
errors. Every error is logged and becomes a miss; after one, Redis is left alone for
`BREAKER_SECONDS` (a short circuit breaker) so that requests do not each wait for a
connection timeout. Nothing a user submits is kept only here: sessions stay in the
database.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.25)
        super().__init__(server, params)
        self._open_until = 0.0

    def _guard(self, call: Callable[[], Any], fallback: Any) -> Any:
        if time.monotonic() < self._open_until:
            return fallback
        try:
            return call()
        except Exception as error:  # redis.RedisError, OSError: any failure is a miss
            self._open_until = time.monotonic() + BREAKER_SECONDS
            logger.warning(
                "cache unavailable, failing open for %ss: %r", BREAKER_SECONDS, error
            )
            return fallback

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(
            lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> None:
        kwargs: dict[str, Any] = {"version": version}
        if timeout is not None:
            kwargs["timeout"] = timeout
        self._guard(
            lambda: super(ResilientRedisCache, self).set(key, value, **kwargs), None
        )

    def add(
        self, key: Any, value: Any, timeout: Any = None, version: Any = None
    ) -> bool:
        kwargs: dict[str, Any] = {"version": version}
        if timeout is not None:
            kwargs["timeout"] = timeout
        return bool(
            self._guard(
                lambda: super(ResilientRedisCache, self).add(key, value, **kwargs),
                False,
            )
        )

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        kwargs: dict[str, Any] = {"version": version}
        if timeout is not None:
            kwargs["timeout"] = timeout
        return bool(
            self._guard(
                lambda: super(ResilientRedisCache, self).touch(key, **kwargs), False
            )
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(
            self._guard(
                lambda: super(ResilientRedisCache, self).delete(key, version), False
            )
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard(
            lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(
            self._guard(
                lambda: super(ResilientRedisCache, self).has_key(key, version), False
            )
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # A missing key raises ValueError (Django's contract); an outage counts from 0.
        if time.monotonic() < self._open_until:
            return delta
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as error:
            self._open_until = time.monotonic() + BREAKER_SECONDS
            logger.warning("cache unavailable, failing open: %r", error)
            return delta

    def set_many(
        self, data: Any, timeout: Any = None, version: Any = None
    ) -> list[Any]:
        kwargs: dict[str, Any] = {"version": version}
        if timeout is not None:
            kwargs["timeout"] = timeout
        return self._guard(
            lambda: super(ResilientRedisCache, self).set_many(data, **kwargs), []
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        self._guard(lambda: super(ResilientRedisCache, self).clear(), None)
