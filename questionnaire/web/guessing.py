"""Rate limiting of link guessing: only failed look-ups (unknown, expired, revoked) count.

Counting failures alone keeps every valid request free of a round trip to the shared store,
and a colleague behind the same address as a guesser can still use their own link. Counters
live in ``RATELIMIT_STORAGE_URI`` (Redis in production), shared by all worker processes, with
the ``limits`` library; if that store is down, a per-process count takes over rather than
letting guesses through uncounted.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, request
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
NAMESPACE = "link-guess"


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions["guess_limiter"] = FixedWindowRateLimiter(storage)
    app.extensions["guess_fallback"] = FixedWindowRateLimiter(MemoryStorage())


def count_failed_lookup() -> None:
    """Count one failed link look-up from this client; raise 429 when it is one too many."""
    item = parse(current_app.config["LINK_GUESS_LIMIT"])
    client = request.remote_addr or "unknown"
    strategy: FixedWindowRateLimiter = current_app.extensions["guess_limiter"]
    try:
        allowed = strategy.hit(item, NAMESPACE, client)
    except Exception:  # the shared store is unreachable
        log.warning("rate-limit store unavailable: counting link guesses in this process only")
        strategy = current_app.extensions["guess_fallback"]
        allowed = strategy.hit(item, NAMESPACE, client)
    if not allowed:
        reset = strategy.get_window_stats(item, NAMESPACE, client).reset_time
        raise TooManyRequests(retry_after=max(1, int(reset - time.time())))
