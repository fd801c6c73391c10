"""A real HTTP server for webhook tests (127.0.0.1, a free port) that keeps what it receives.

Use ``serving()`` as a fixture's body. ``statuses`` are the answers to the next POSTs, one
each (500, then 200); once used up it answers 204. ``on_receive`` runs once a request's body
has arrived, before the answer (a test kills a worker there).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    on_receive: Callable[[], None] | None = None


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(dict(self.headers.items()), body))
            if receiver.on_receive is not None:
                receiver.on_receive()
            status = receiver.statuses.pop(0) if receiver.statuses else 204
            self.send_response(status)
            if 300 <= status < 400:  # a redirect to this same server: followed, it would land
                self.send_header("Location", f"{receiver.url}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            """Where a followed redirect would land (as a GET): recorded, and answered 200."""
            receiver.received.append(Received(dict(self.headers.items()), b""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet tests

    return Handler


@contextmanager
def serving() -> Iterator[Receiver]:
    """A receiver listening until the block ends."""
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/completed"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
