"""Measurement for ``bench/web.py``: servers, plans, percentiles, CPU (the load generators
themselves are ``bench/load.py``).

A scenario is a list of :class:`Plan` (what each connection sends over and over) against one
:class:`Server` (a gunicorn master and its workers). :func:`measure` runs every scenario in
interleaved rounds with a load generator (``wrk`` with a generated Lua script or, when wrk is
missing, a thread and an ``http.client`` connection per connection), and reads the workers'
CPU time (utime + stime in ``/proc/<pid>/stat``, all threads of the process) before and after
each run. Nothing here
knows about questionnaires beyond a page's hidden ``version`` field, which the writing POSTs
follow.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VERSION_MARK = "@VERSION@"  # in a body: replaced by the version the request names
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d*)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# gunicorn's command-line flag for each setting of ``questionnaire.cli_app.SERVING``.
GUNICORN_FLAGS = {
    "worker_class": "--worker-class",
    "threads": "--threads",
    "timeout": "--timeout",
    "graceful_timeout": "--graceful-timeout",
    "keepalive": "--keep-alive",
}
NOT_BENCHED = {"accesslog"}  # no access log on either side: it would only add noise


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    if not match:
        raise RuntimeError(f"{pattern.pattern!r} not on the page")
    return match.group(1)


# -- servers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A gunicorn master listening on ``port``."""

    port: int
    master: int

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children), read afresh: a worker may restart."""
        try:
            children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        except OSError:  # a kernel without CONFIG_PROC_CHILDREN: look for the parent's id
            return [pid for pid in all_pids() if parent_of(pid) == self.master]
        return [int(pid) for pid in children.split()]

    def cpu(self) -> dict[int, float]:
        """CPU seconds (user + system, every thread) each worker has used so far."""
        return {pid: cpu_seconds(pid) for pid in self.workers()}


def stat_fields(pid: int) -> list[str]:
    """``/proc/<pid>/stat`` from field 3 on (``[0]`` is proc(5)'s field 3), or ``[]``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return stat.rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    fields = stat_fields(pid)
    if not fields:
        return 0.0
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLOCK_TICKS


def parent_of(pid: int) -> int:
    fields = stat_fields(pid)
    return int(fields[1]) if fields else 0


def all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def gunicorn_flags(serving: Mapping[str, Any], threads: int) -> list[str]:
    """Production's serving settings as gunicorn flags; an unknown setting stops the bench, so
    that the benchmark cannot silently drift from how the app is served."""
    flags = ["--threads", str(threads)]
    for key, value in serving.items():
        if key in NOT_BENCHED:
            continue
        if key not in GUNICORN_FLAGS:
            raise RuntimeError(f"bench/timing.py does not know gunicorn setting {key!r}")
        flags += [GUNICORN_FLAGS[key], str(value)]
    return flags


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    spec: str,
    flags: list[str],
    env: dict[str, str],
    log_path: Path,
    probe: tuple[str, dict[str, str]],
    workers: int = 2,
) -> Iterator[Server]:
    """Serve ``spec`` with ``workers`` workers on a free port until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), *flags, "-b",
               f"127.0.0.1:{port}", "--log-level", "warning", spec]  # fmt: skip
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        server = Server(port, process.pid)
        wait_ready(process, server, probe, log_path, workers)
        yield server
    finally:
        stop(process)


def wait_ready(
    process: subprocess.Popen[bytes],
    server: Server,
    probe: tuple[str, dict[str, str]],
    log_path: Path,
    workers: int,
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-2000:]}")
        try:
            if fetch(server.port, *probe)[0] == 200 and len(server.workers()) == workers:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {probe[0]} within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def page_version(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    status, html = fetch(port, path, headers)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    return int(found(VERSION, html))


# -- what is measured -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one connection sends over and over. ``write``: each expected answer bumps version."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    version: int = 0
    write: bool = False

    def body_for(self, version: int) -> bytes | None:
        return self.body and self.body.replace(VERSION_MARK.encode(), str(version).encode())


@dataclass(frozen=True)
class Scenario:
    name: str
    server: Server
    expected: int
    plans: Callable[[], list[Plan]]  # built just before each run (a write run needs versions)
    count_writes: bool = False  # compare versions before and after: how many POSTs saved


@dataclass
class Run:
    """One run of the load generator, and the CPU the server's workers used meanwhile."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # an unexpected status, or a socket error
    last_error: str = ""
    writes: int | None = None
    worker_cpu_s: dict[int, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """The workers' CPU time per request served, in milliseconds."""
        return 1000 * sum(self.worker_cpu_s.values()) / self.requests if self.requests else 0.0


@dataclass
class Measurement:
    """A scenario's runs, one a round: totals, and the median of the rounds' percentiles."""

    name: str
    runs: list[Run]

    @property
    def rps(self) -> float:
        seconds = sum(r.seconds for r in self.runs)
        return sum(r.requests for r in self.runs) / seconds if seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def cpu_ms(self) -> float:
        """All rounds' worker CPU over all rounds' requests."""
        requests = sum(r.requests for r in self.runs)
        cpu = sum(sum(r.worker_cpu_s.values()) for r in self.runs)
        return 1000 * cpu / requests if requests else 0.0

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)

    @property
    def last_error(self) -> str:
        return next((r.last_error for r in reversed(self.runs) if r.last_error), "")

    @property
    def writes(self) -> int | None:
        counted = [r.writes for r in self.runs if r.writes is not None]
        return sum(counted) if counted else None

    def row(self) -> dict[str, Any]:
        names = ("rps", "p50_ms", "p99_ms", "cpu_ms", "errors", "last_error", "writes")
        return {"name": self.name, **{n: getattr(self, n) for n in names},
                "requests": sum(r.requests for r in self.runs),
                "rounds": [{**asdict(r), "rps": r.rps, "cpu_ms": r.cpu_ms} for r in self.runs]}  # fmt: skip


Runner = Callable[[Scenario, list[Plan], float, int, Path], Run]


def measure(
    scenarios: list[Scenario],
    run: Runner,
    *,
    rounds: int,
    seconds: float,
    warmup: float,
    connections: int,
    tmp: Path,
) -> list[Measurement]:
    """``rounds`` rounds of every scenario in turn; each scenario warms up before its first."""
    results = [Measurement(s.name, []) for s in scenarios]
    for round_ in range(rounds):
        for scenario, result in zip(scenarios, results, strict=True):
            log(f"round {round_ + 1}/{rounds}: {scenario.name}")
            if round_ == 0 and warmup > 0:
                run_counted(run, scenario, warmup, connections, tmp)
            result.runs.append(run_counted(run, scenario, seconds / rounds, connections, tmp))
    return results


def run_counted(
    run: Runner, scenario: Scenario, seconds: float, connections: int, tmp: Path
) -> Run:
    """One run with the workers' CPU around it; for a POST of ours, how many versions it moved,
    counted once the server is idle (after the CPU is read: the counting GETs are not the
    scenario's)."""
    plans = scenario.plans()
    before = scenario.server.cpu()
    outcome = run(scenario, plans, seconds, connections, tmp)
    after = scenario.server.cpu()
    outcome.worker_cpu_s = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    if scenario.count_writes:
        port = scenario.server.port
        outcome.writes = settled_versions(port, plans) - sum(p.version for p in plans)
    return outcome


def settled_versions(port: int, plans: list[Plan]) -> int:
    """The versions' sum once it stops moving: requests in flight when wrk stopped still save."""
    total = -1
    for _ in range(50):
        previous, total = total, sum(page_version(port, p.path, p.headers) for p in plans)
        if total == previous:
            break
        time.sleep(0.2)
    return total
