"""The README's run command does what it says: `questionnaire demo` migrates, prints a working
link and login, runs the worker beside the server, and links made beside it point at it."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def read_until(process: subprocess.Popen[str], pattern: str, seconds: float = 60) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        if re.search(pattern, seen):
            return seen
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"never printed {pattern!r}:\n{seen}")


def wait_for(check: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        status: int = response.status
        return status


COMMAND = [sys.executable, "-m", "questionnaire.cli"]


def test_the_demo_serves_its_link_runs_the_worker_and_keeps_one_engagement(tmp_path: Path) -> None:
    env = {**os.environ, "QUESTIONNAIRE_INSTANCE_PATH": str(tmp_path),
           "QUESTIONNAIRE_RATELIMIT_STORAGE_URI": "memory://"}  # fmt: skip
    env.pop("QUESTIONNAIRE_BASE_URL", None)
    for _start in (1, 2):  # the second start keeps the first one's engagement
        port = free_port()
        demo = subprocess.Popen(
            [*COMMAND, "demo", "--port", str(port), "--workers", "1"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            _check_demo(demo, port, tmp_path, env)
        finally:
            demo.send_signal(signal.SIGTERM)
            demo.wait(30)
            assert demo.stdout is not None
            demo.stdout.close()
        assert _no_worker_left(tmp_path)
        _forget_acme(tmp_path)


def _check_demo(
    demo: subprocess.Popen[str], port: int, instance: Path, env: dict[str, str]
) -> None:
    printed = read_until(demo, r"Email: .*\n")
    found = re.search(r"questionnaire link: (\S+)", printed)
    assert found and found.group(1).startswith(f"http://127.0.0.1:{port}/r/")
    link = found.group(1)
    assert "engineer@example.com" in printed and "password: " in printed
    wait_for(lambda: _answers(link))
    assert get(f"http://127.0.0.1:{port}/e/login") == 200
    done = "SELECT count(*) FROM jobs WHERE kind = 'uploads.sweep' AND status = 'done'"
    wait_for(lambda: _count(instance, done) == 1)  # the worker runs beside the server
    assert _count(instance, "SELECT count(*) FROM engagements") == 1
    # Sales handed the demo over on the first start: its two emails are in the outbox folder,
    # sent there by the worker, and a second start sends no more.
    wait_for(lambda: len(list((instance / "outbox").glob("*.eml"))) == 2)
    assert "/e/outbox" in printed
    invited = subprocess.run(
        [*COMMAND, "invite", "--customer", "Acme"], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert invited.stdout.startswith(f"http://127.0.0.1:{port}/r/")


def _count(instance: Path, query: str) -> int:
    database = sqlite3.connect(instance / "questionnaire.sqlite")
    try:
        found: int = database.execute(query).fetchone()[0]
        return found
    finally:
        database.close()


def _answers(url: str) -> bool:
    try:
        return get(url) == 200
    except OSError:
        return False


def _no_worker_left(instance: Path) -> bool:
    """No `questionnaire worker` of this demo is still running."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
            environ = (cmdline.parent / "environ").read_bytes()
        except OSError:
            continue
        if b"worker" in words and str(instance).encode() in environ:
            return False
    return True


def _forget_acme(instance: Path) -> None:
    """The invite above made an engagement of its own: leave only the demo's for the count."""
    database = sqlite3.connect(instance / "questionnaire.sqlite")
    database.execute("PRAGMA foreign_keys=ON")
    database.execute("DELETE FROM engagements WHERE customer = 'Acme'")
    database.commit()
    database.close()
