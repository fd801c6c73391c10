"""The app served by a real ``questionnaire serve`` (gunicorn) in a process of its own, for the
tests that need several worker processes or real sockets."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from questionnaire.store import db
from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthz(port: int, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Connection": "close"})
        return connection.getresponse().status
    finally:
        connection.close()


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if healthz(port, timeout=5) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("gunicorn did not answer")


@contextmanager
def serving(
    folder: Path, settings: dict[str, str], workers: int = 2
) -> Iterator[tuple[int, dict[str, str]]]:
    """``questionnaire serve --workers N`` on a free port, on a migrated SQLite database in
    ``folder``, with ``QUESTIONNAIRE_*`` ``settings``; yields the port and the environment (for
    commands that should see the same settings). ``{port}`` in a setting is the port."""
    url = f"sqlite:///{folder / 'served.sqlite'}"
    db.upgrade(url)
    port = free_port()
    env = {
        **os.environ,
        "QUESTIONNAIRE_DATABASE_URL": url,
        "QUESTIONNAIRE_DEFINITIONS_DIR": str(ROOT / "tests" / "web" / "definitions"),
        "QUESTIONNAIRE_UPLOAD_DIR": str(folder / "uploads"),
        **{f"QUESTIONNAIRE_{k}": v.format(port=port) for k, v in settings.items()},
    }
    command = [str(Path(sys.executable).parent / "questionnaire"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_until_up(port, server)
        yield port, env
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
