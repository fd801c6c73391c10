"""Faults outside the app (issue 8): a rate-limit store that never answers, and slow clients.

Both are real: a TCP server on 127.0.0.1 that accepts connections and never says a word stands
in for a hung Redis, and the slow clients are sockets that send half a request line to the app
served by gunicorn, as ``questionnaire serve`` runs it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from limits import parse

from questionnaire.services import links
from questionnaire.web.guessing import NAMESPACE, Breaker

from .customer import invite
from .gunicorn import healthz, serving

T = TypeVar("T")
LIMIT = "3 per minute"
#: Generous: guards against a hang (the old behaviour), not a measure of speed.
NO_HANG_SECONDS = 5.0


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers; counts the connections."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.accepted.append(connection)  # kept open, never read from or written to

    def close(self) -> None:
        # Closing the accepted sockets also frees a request still stuck on one.
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent_redis() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def config_overrides(silent_redis: SilentServer) -> dict[str, Any]:
    return {
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{silent_redis.port}/0",
        "LINK_GUESS_LIMIT": LIMIT,
    }


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result, failing the test (instead of hanging it) after ``seconds``."""
    result: list[T] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"no answer within {seconds} s"
    return result[0]


def _remaining_in_fallback(app: Flask, client: str = "127.0.0.1") -> int:
    fallback = app.extensions["guess_fallback"]
    return int(fallback.get_window_stats(parse(LIMIT), NAMESPACE, client).remaining)


def test_a_silent_rate_limit_store_does_not_hold_unknown_links(
    app: Flask, silent_redis: SilentServer
) -> None:
    guesser = app.test_client()
    first = within(NO_HANG_SECONDS, lambda: guesser.get(f"/r/{links.new_token()}/"))
    assert first.status_code == 404
    assert _remaining_in_fallback(app) == 2  # counted in this process instead
    assert len(silent_redis.accepted) == 1
    # The store is skipped for a while: no more connections, each guess still counted.
    statuses = [guesser.get(f"/r/{links.new_token()}/").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]
    assert len(silent_redis.accepted) == 1


def test_valid_links_are_not_blocked_by_a_silent_store(
    app: Flask, silent_redis: SilentServer
) -> None:
    token = invite(app)
    visitor, guesser = app.test_client(), app.test_client()
    guess = within(NO_HANG_SECONDS, lambda: guesser.get(f"/r/{links.new_token()}/"))
    assert guess.status_code == 404
    page = within(NO_HANG_SECONDS, lambda: visitor.get(f"/r/{token}/"))
    assert page.status_code == 200
    assert len(silent_redis.accepted) == 1  # a valid link never asks the store


def test_the_breaker_skips_for_its_pause_then_tries_again() -> None:
    now = [100.0]
    breaker = Breaker(pause=30, clock=lambda: now[0])
    assert breaker.allows()
    breaker.failed()
    now[0] += 29.9
    assert not breaker.allows()
    now[0] += 0.1
    assert breaker.allows()


# -- slow clients under gunicorn -------------------------------------------------------------------

SLOW_CLIENTS = 4


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """``questionnaire serve --workers 2`` on a free port, as in production; yields the port."""
    settings = {"SECRET_KEY": "slow-clients", "RATELIMIT_STORAGE_URI": "memory://"}
    with serving(tmp_path, settings) as (port, _env):
        yield port


@pytest.fixture
def slow_clients(served: int) -> Iterator[list[socket.socket]]:
    """Connections that send half a request line, then nothing: a slow or malicious client."""
    clients = [socket.create_connection(("127.0.0.1", served)) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.sendall(b"GET /heal")
    time.sleep(0.5)  # let the workers accept them and start waiting for the rest
    yield clients
    for client in clients:
        client.close()


def test_slow_clients_do_not_hold_the_workers(
    served: int, slow_clients: list[socket.socket]
) -> None:
    # Several requests on fresh connections, so that both workers are asked.
    statuses = [healthz(served, timeout=NO_HANG_SECONDS) for _ in range(4)]
    assert statuses == [200] * 4
