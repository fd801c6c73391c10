"""Rate limiting of link guessing: only failed look-ups (unknown, expired, revoked) count.

Counting failures alone keeps every valid request free of a round trip to the shared store,
and a colleague behind the same address as a guesser can still use their own link. Counters
live in ``RATELIMIT_STORAGE_URI`` (Redis in production), shared by all worker processes, with
the ``limits`` library; if that store is down or does not answer, a per-process count takes over
rather than letting guesses through uncounted.

A store that accepts connections but never answers must not hold requests: Redis connections
get short connect and read timeouts, and after a failure the store is left alone for
``STORE_PAUSE_SECONDS`` (a small circuit breaker), so that only one request in that time pays
the timeout.

The same store, fallback and breaker count other failures too (:func:`hit`, :func:`wait`):
failed sign-ins, per account and per address (``web/auth.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
NAMESPACE = "link-guess"
#: Seconds to wait for Redis to connect, then for each reply: a healthy local Redis answers in
#: well under a millisecond, and a failed look-up (a 404) should not wait longer than this.
#: ``socket_timeout`` / ``socket_connect_timeout`` in the URI's query string take precedence.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
#: How long the shared store is skipped after it failed.
STORE_PAUSE_SECONDS = 30.0


@dataclass
class Breaker:
    """Skips a failing dependency for ``pause`` seconds after each failure.

    Shared by a worker's threads without a lock: at worst two threads both try the store once
    more when the pause ends, which costs a timeout, not a wrong count.
    """

    pause: float
    clock: Callable[[], float] = time.monotonic
    _skip_until: float = float("-inf")

    def allows(self) -> bool:
        return self.clock() >= self._skip_until

    def failed(self) -> None:
        self._skip_until = self.clock() + self.pause


def init_app(app: Flask) -> None:
    uri = app.config["RATELIMIT_STORAGE_URI"]
    storage = storage_from_string(uri, **_storage_options(uri))
    app.extensions["guess_limiter"] = FixedWindowRateLimiter(storage)
    app.extensions["guess_fallback"] = FixedWindowRateLimiter(MemoryStorage())
    app.extensions["guess_breaker"] = Breaker(STORE_PAUSE_SECONDS)


def _storage_options(uri: str) -> dict[str, float]:
    # redis.from_url lets the URI's own query options override these keyword arguments.
    return dict(REDIS_TIMEOUTS) if urlsplit(uri).scheme.startswith("redis") else {}


def count_failed_lookup() -> None:
    """Count one failed link look-up from this client; raise 429 when it is one too many."""
    item = parse(current_app.config["LINK_GUESS_LIMIT"])
    retry_after = hit(NAMESPACE, item, request.remote_addr or "unknown")
    if retry_after:
        raise TooManyRequests(retry_after=retry_after)


def hit(namespace: str, item: RateLimitItem, key: str) -> int:
    """Count one hit of ``key``; 0 when it is allowed, else the seconds until the window resets.

    In the shared store, or in this process's when that failed or is being skipped. Other
    counters than link guesses (failed sign-ins) use it with their own ``namespace``.
    """
    found = _shared(lambda strategy: _count(strategy, item, namespace, key))
    if found is None:
        found = _count(current_app.extensions["guess_fallback"], item, namespace, key)
    return found


def wait(namespace: str, item: RateLimitItem, key: str) -> int:
    """The seconds before a hit of ``key`` would be allowed (0: now), counting nothing."""
    found = _shared(lambda strategy: _wait(strategy, item, namespace, key))
    if found is None:
        found = _wait(current_app.extensions["guess_fallback"], item, namespace, key)
    return found


def _shared(call: Callable[[FixedWindowRateLimiter], int]) -> int | None:
    """``call`` on the shared store; None when it failed or is being skipped."""
    breaker: Breaker = current_app.extensions["guess_breaker"]
    if not breaker.allows():
        return None
    try:
        return call(current_app.extensions["guess_limiter"])
    except Exception as exc:  # any failure of the store (refused, timed out, misconfigured)
        breaker.failed()
        log.warning(
            "rate-limit store unavailable (%s): counting in this process for %d s",
            exc,
            breaker.pause,
        )
        return None


def _count(strategy: FixedWindowRateLimiter, item: RateLimitItem, namespace: str, key: str) -> int:
    """Count one hit; 0 when it is allowed, else the seconds until the window resets."""
    if strategy.hit(item, namespace, key):
        return 0
    return _reset_in(strategy, item, namespace, key)


def _wait(strategy: FixedWindowRateLimiter, item: RateLimitItem, namespace: str, key: str) -> int:
    if strategy.test(item, namespace, key):
        return 0
    return _reset_in(strategy, item, namespace, key)


def _reset_in(
    strategy: FixedWindowRateLimiter, item: RateLimitItem, namespace: str, key: str
) -> int:
    reset = strategy.get_window_stats(item, namespace, key).reset_time
    return max(1, int(reset - time.time()))
