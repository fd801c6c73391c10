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
    client = request.remote_addr or "unknown"
    retry_after = _count_shared(item, client)
    if retry_after is None:
        retry_after = _count(current_app.extensions["guess_fallback"], item, client)
    if retry_after:
        raise TooManyRequests(retry_after=retry_after)


def _count_shared(item: RateLimitItem, client: str) -> int | None:
    """As :func:`_count`, in the shared store; None when it failed or is being skipped."""
    breaker: Breaker = current_app.extensions["guess_breaker"]
    if not breaker.allows():
        return None
    try:
        return _count(current_app.extensions["guess_limiter"], item, client)
    except Exception as exc:  # any failure of the store (refused, timed out, misconfigured)
        breaker.failed()
        log.warning(
            "rate-limit store unavailable (%s): counting link guesses in this process for %d s",
            exc,
            breaker.pause,
        )
        return None


def _count(strategy: FixedWindowRateLimiter, item: RateLimitItem, client: str) -> int:
    """Count one hit; 0 when it is allowed, else the seconds until the window resets."""
    if strategy.hit(item, NAMESPACE, client):
        return 0
    reset = strategy.get_window_stats(item, NAMESPACE, client).reset_time
    return max(1, int(reset - time.time()))
