"""Web benchmark: the customer's question page under gunicorn, against a bare Flask baseline.

Run ``.venv/bin/python bench/web.py [--seconds 9] [--rounds 3] [--connections 8] [--json]``.

In a temporary directory it migrates a SQLite database (or uses ``--database-url``), invites
``connections + 1`` customers to ``definitions/pre_discovery.yaml`` and answers their first seven
pages through Flask's test client, as a browser would. It then serves the app with gunicorn (2
sync workers) and, in the same run, a bare Flask app (this module's :func:`baseline_app`, also 2
sync workers) that serves a copy of the measured page from a template compiled once. ``wrk`` (or
a Python load generator when wrk is missing) measures GET, a no-op POST and a writing POST of
our page and GET and POST of the baseline, in interleaved rounds after a warm-up, and reports
requests/s, p50/p95 latency and our ratio to the baseline. Benchmarks report; they never fail
the build. ``--profile N`` instead profiles the page in-process (see bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFINITION = "pre_discovery"
MEASURED = "addressing"  # page 7 of 13 on this path: the middle of the questionnaire
BOUNDARY = "BenchBoundary7MA4YWxkTrZu0gW"
VERSION_MARK = "@VERSION@"  # replaced by the version the request names
HTML_ENV = "BENCH_BASELINE_HTML"
BASELINE_NEXT = "/next"

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d*)"')

# The answers of the complete case in definitions/tests/pre_discovery.yaml, as a browser posts
# them: every page before the measured one, and the measured page itself (so its POST can be a
# no-op save). A list value is a checkbox group.
PAGES: tuple[tuple[str, dict[str, str | list[str]]], ...] = (
    ("commercial", {
        "ps_days_sold": "3", "contract_date": "2026-03-02", "purchase_order": "PO-48213",
        "quote_number": "Q-2026-0117", "services_lead": "Sam Patel",
        "commercial_confirmed": "yes",
    }),
    ("organisation", {
        "organisation": "Northshire Health", "contact_name": "Alex Morgan",
        "contact_role": "Infrastructure lead", "contact_email": "alex.morgan@northshire.example",
        "contact_phone": "+442079460958", "other_contacts": "",
    }),
    ("project", {
        "load_balancing_summary": "Our PACS web viewer and DICOM store across 4 servers.",
        "deployment_types": ["medical"],
    }),
    ("design", {"hld_available": "no"}),
    ("network", {"network_fabric": "traditional", "network_notes": ""}),
    ("appliance", {"form_factor": "hardware", "ha_pair": "yes", "appliance_installed": "no"}),
    (MEASURED, {
        "network_topology": "one_arm", "addresses_known": "yes", "mgmt_ip_primary": "10.20.0.10",
        "mgmt_ip_secondary": "10.20.0.11", "vip_subnet": "10.20.0.0/24",
        "default_gateway": "10.20.0.1", "dns_server_1": "10.0.0.53", "dns_server_2": "10.0.1.53",
        "ntp_server_1": "ntp.northshire.example", "ntp_server_2": "",
    }),
)  # fmt: skip
# The real-write POST changes this answer every time: its value names the version it was sent
# with, so it always differs from the stored one (written with an older version).
WRITE_FIELD = ("ntp_server_2", f"ntp{VERSION_MARK}.bench.example")

# scenario: (baseline scenario, least acceptable ratio of our requests/s to the baseline's)
TARGETS = {
    "GET page": ("baseline GET", 0.5),
    "POST page (no-op save)": ("baseline POST", 0.3),
    "POST page (real write)": ("baseline POST", 0.3),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- forms ----------------------------------------------------------------------------------------


def multipart(fields: Sequence[tuple[str, str]]) -> bytes:
    """A ``multipart/form-data`` body, as the page's form (``enctype`` multipart) is posted."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def form_fields(
    csrf: str, version: str, answers: dict[str, str | list[str]]
) -> list[tuple[str, str]]:
    fields = [("csrf_token", csrf), ("version", version), ("action", "continue")]
    for name, value in answers.items():
        fields += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return fields


def found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    if not match:
        raise RuntimeError(f"{pattern.pattern!r} not on the page")
    return match.group(1)


# -- set-up: database, customers mid-questionnaire ------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """A response in progress, and what its browser sends: session cookie and CSRF token."""

    token: str
    cookie: str
    csrf: str

    @property
    def page(self) -> str:
        return f"/r/{self.token}/p/{MEASURED}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"session={self.cookie}"}


def app_config(tmp: Path, database_url: str, ratelimit: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DEFINITIONS_DIR": str(ROOT / "definitions"),
        "UPLOAD_DIR": str(tmp / "uploads"),
        "RATELIMIT_STORAGE_URI": ratelimit,
        "SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "BASE_URL": "http://127.0.0.1",
    }


def new_customer(app: Any) -> Customer:
    """Invite, start and answer every page up to and including the measured one."""
    from questionnaire.services import links
    from questionnaire.store import db

    with app.app_context():
        invitation = links.invite(
            db.session(), "Bench Health", DEFINITION, timedelta(days=1), "bench"
        )
    client, base = app.test_client(), f"/r/{invitation.token}"
    start = client.get(base + "/")
    expect(client.post(base + "/start", data={"csrf_token": found(CSRF, start.text)}), 302)
    for page_id, answers in PAGES:
        answer(client, f"{base}/p/{page_id}", answers)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return Customer(invitation.token, cookie.value, found(CSRF, start.text))


def answer(client: Any, path: str, answers: dict[str, str | list[str]]) -> None:
    """GET the page, POST the answers; once more if the first POST was refused (400).

    The page's form only has fields for the questions shown with the *stored* answers, so the
    values for questions that a choice on the same page reveals (``addresses_known`` shows the
    addresses) are dropped by the first POST: as a browser without scripts, post again.
    """
    for _ in range(2):
        page = client.get(path)
        fields = form_fields(found(CSRF, page.text), found(VERSION, page.text), answers)
        saved = client.post(path, data=multipart(fields), content_type=MULTIPART)
        if saved.status_code != 400:
            break
    expect(saved, 302)


def expect(response: Any, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.path}: {response.status_code}, not {status}")


def prepare(config: dict[str, str], count: int) -> tuple[list[Customer], str]:
    """``count`` customers mid-questionnaire, and the measured page's HTML for the baseline."""
    import questionnaire
    from questionnaire.store import db

    db.upgrade(config["DATABASE_URL"])
    app = questionnaire.create_app(config)
    customers = [new_customer(app) for _ in range(count)]
    first = customers[0]
    client = app.test_client()
    client.set_cookie("session", first.cookie)
    html = client.get(first.page).text
    again = client.post(
        first.page, data=noop_body(first, found(VERSION, html)), content_type=MULTIPART
    )
    expect(again, 302)
    if found(VERSION, client.get(first.page).text) != found(VERSION, html):
        raise RuntimeError("re-posting the same answers wrote: the no-op POST would not be one")
    return customers, html


def noop_body(customer: Customer, version: str) -> bytes:
    return multipart(form_fields(customer.csrf, version, dict(PAGES)[MEASURED]))


def write_body(customer: Customer) -> bytes:
    answers = {**dict(PAGES)[MEASURED], WRITE_FIELD[0]: WRITE_FIELD[1]}
    return multipart(form_fields(customer.csrf, VERSION_MARK, answers))


# -- the baseline: bare Flask, the same HTML from a template compiled once ------------------------


def baseline_template(html: str) -> str:
    """The page as a Jinja template: the CSRF token and version are variables, the rest raw."""
    source = html
    for pattern, name in ((VERSION, "version"), (CSRF, "csrf_token")):  # the later one first
        match = pattern.search(source)
        assert match is not None
        start, end = match.span(1)
        source = f"{source[:start]}{{% endraw %}}{{{{ {name} }}}}{{% raw %}}{source[end:]}"
    return "{% raw %}" + source + "{% endraw %}"


def baseline_app() -> Any:
    """Gunicorn's app for the baseline: ``bench.web:baseline_app()``, HTML path in the env.

    GET renders the precompiled template with two variables. POST parses the form (the same
    multipart body our app gets), reads ``version`` as an int and answers 303 to a fixed URL:
    the least a save does, with no CSRF check, database, validation or flow.
    """
    from flask import Flask, redirect, request

    data = json.loads(Path(os.environ[HTML_ENV]).read_text())
    app = Flask("bench_baseline")
    template = app.jinja_env.from_string(data["template"])

    @app.get("/page")
    def page() -> str:
        return template.render(csrf_token=data["csrf"], version=data["version"])

    @app.post("/page")
    def save() -> Any:
        int(request.form.get("version") or 0)
        return redirect(BASELINE_NEXT, 303)

    return app


# -- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(
    spec: str, env: dict[str, str], log_path: Path, ready: str, headers: dict[str, str]
) -> Iterator[int]:
    """Serve ``spec`` with 2 sync workers on a free port until the block ends; yield the port."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b",
               f"127.0.0.1:{port}", "--log-level", "warning", spec]  # fmt: skip
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_ready(process, port, (ready, headers), log_path)
        yield port
    finally:
        stop(process)


def wait_ready(
    process: subprocess.Popen[bytes], port: int, probe: tuple[str, dict[str, str]], log_path: Path
) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-2000:]}")
        try:
            if fetch(port, *probe)[0] == 200:
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


# -- load -----------------------------------------------------------------------------------------


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
    port: int
    expected: int
    plans: Callable[[], list[Plan]]  # built just before each run (a write run needs versions)
    count_writes: bool = False  # compare versions before and after: how many POSTs saved


@dataclass
class Run:
    """One run of the load generator."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # an unexpected status, or a socket error
    last_error: str = ""
    writes: int | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


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
    def p95_ms(self) -> float:
        return statistics.median(r.p95_ms for r in self.runs)

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
        names = ("rps", "p50_ms", "p95_ms", "errors", "last_error", "writes")
        return {"name": self.name, **{n: getattr(self, n) for n in names},
                "requests": sum(r.requests for r in self.runs),
                "rounds": [{**asdict(r), "rps": r.rps} for r in self.runs]}  # fmt: skip


LUA = r"""
local plans = {%(plans)s}
local expected = %(expected)d
local threads, count = {}, 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  plan = plans[id %% #plans + 1]
  version, bad, last = plan.version, 0, 0
end

function request()
  local body = plan.body and (plan.body:gsub("@VERSION@", tostring(version)))
  return wrk.format(plan.method, plan.path, plan.headers, body)
end

function response(status, headers, body)
  if status == expected then
    if plan.write then version = version + 1 end
    return
  end
  bad, last = bad + 1, status
  local current = body and body:match('name="version" type="hidden" value="(%%d+)"')
  if current then version = tonumber(current) end
end

function done(summary, latency, requests)
  local bad, last = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("bad")
    if thread:get("last") ~= 0 then last = thread:get("last") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "bad": %%d, ' ..
    '"last": %%d, "socket": %%d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), bad, last, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_string(value: str | bytes) -> str:
    data = value.encode() if isinstance(value, str) else value
    return (
        '"'
        + "".join(f"\\{b:03d}" if b < 32 or b in b'"\\' or b > 126 else chr(b) for b in data)
        + '"'
    )


def lua_plan(plan: Plan) -> str:
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in plan.headers.items())
    body = lua_string(plan.body) if plan.body else "nil"
    return (
        f"{{method = {lua_string(plan.method)}, path = {lua_string(plan.path)}, "
        f"headers = {{{headers}}}, body = {body}, version = {plan.version}, "
        f"write = {'true' if plan.write else 'false'}}}"
    )


def run_wrk(
    scenario: Scenario, plans: list[Plan], seconds: float, connections: int, tmp: Path
) -> Run:
    script = tmp / "bench.lua"
    tables = ",\n".join(lua_plan(p) for p in plans)
    script.write_text(LUA % {"plans": tables, "expected": scenario.expected})
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(script), f"http://127.0.0.1:{scenario.port}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line.removeprefix("BENCH "))
    return Run(
        raw["requests"], raw["duration_us"] / 1e6, raw["p50_us"] / 1000,
        raw["p95_us"] / 1000, raw["bad"] + raw["socket"],
        f"status {raw['last']}" if raw["last"] else ("socket errors" if raw["socket"] else ""),
    )  # fmt: skip


class Connection(threading.Thread):
    """The Python load generator's connection: keep-alive when the server allows it."""

    def __init__(self, port: int, plan: Plan, expected: int, deadline: float) -> None:
        super().__init__(daemon=True)
        self.port, self.plan, self.expected, self.deadline = port, plan, expected, deadline
        self.version, self.errors, self.last_error = plan.version, 0, ""
        self.latencies: list[float] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while time.perf_counter() < self.deadline:
            try:
                self.once(conn)
            except (OSError, http.client.HTTPException) as exc:
                self.errors, self.last_error = self.errors + 1, type(exc).__name__
                conn.close()
        conn.close()

    def once(self, conn: http.client.HTTPConnection) -> None:
        plan = self.plan
        started = time.perf_counter()
        conn.request(plan.method, plan.path, plan.body_for(self.version), plan.headers)
        response = conn.getresponse()
        body = response.read()
        self.latencies.append(time.perf_counter() - started)
        if response.status == self.expected:
            self.version += plan.write
            return
        self.errors, self.last_error = self.errors + 1, f"status {response.status}"
        current = VERSION.search(body.decode(errors="replace"))
        self.version = int(current.group(1)) if current else self.version


def run_python(
    scenario: Scenario, plans: list[Plan], seconds: float, connections: int, _tmp: Path
) -> Run:
    started = time.perf_counter()
    workers = [
        Connection(scenario.port, plans[i % len(plans)], scenario.expected, started + seconds)
        for i in range(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for w in workers for x in w.latencies) or [0.0]
    return Run(
        len(latencies), elapsed, percentile(latencies, 50) * 1000,
        percentile(latencies, 95) * 1000, sum(w.errors for w in workers),
        next((w.last_error for w in workers if w.last_error), ""),
    )  # fmt: skip


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- scenarios ------------------------------------------------------------------------------------


def scenarios(app_port: int, base_port: int, customers: list[Customer]) -> list[Scenario]:
    """Baseline then ours, in each round, so that drift in the machine's load touches both."""
    first, writers = customers[0], customers[1:]
    get = Plan("GET", first.page, first.headers)
    version = page_version(app_port, first.page, first.headers)
    post = post_plan(first, noop_body(first, VERSION_MARK), version)

    def noop() -> list[Plan]:
        return [replace(post, version=page_version(app_port, post.path, post.headers))]

    def writes() -> list[Plan]:
        return [
            post_plan(c, write_body(c), page_version(app_port, c.page, c.headers), write=True)
            for c in writers
        ]

    return [
        Scenario("baseline GET", base_port, 200, lambda: [replace(get, path="/page")]),
        Scenario("GET page", app_port, 200, lambda: [get]),
        Scenario("baseline POST", base_port, 303, lambda: [replace(post, path="/page")]),
        Scenario("POST page (no-op save)", app_port, 302, noop, count_writes=True),
        Scenario("POST page (real write)", app_port, 302, writes, count_writes=True),
    ]


def post_plan(customer: Customer, body: bytes, version: int, write: bool = False) -> Plan:
    headers = {**customer.headers, "Content-Type": MULTIPART}
    return Plan("POST", customer.page, headers, body, version, write)


def page_version(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    status, html = fetch(port, path, headers)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status}")
    return int(found(VERSION, html))


def measure(
    all_scenarios: list[Scenario], args: argparse.Namespace, tmp: Path
) -> list[Measurement]:
    """``rounds`` rounds of every scenario in turn; each scenario warms up before its first."""
    run = run_wrk if use_wrk(args) else run_python
    results = [Measurement(s.name, []) for s in all_scenarios]
    seconds = args.seconds / args.rounds
    for round_ in range(args.rounds):
        for scenario, result in zip(all_scenarios, results, strict=True):
            log(f"round {round_ + 1}/{args.rounds}: {scenario.name}")
            if round_ == 0 and args.warmup > 0:
                run_counted(run, scenario, args.warmup, args.connections, tmp)
            result.runs.append(run_counted(run, scenario, seconds, args.connections, tmp))
    return results


def run_counted(
    run: Callable[..., Run], scenario: Scenario, seconds: float, connections: int, tmp: Path
) -> Run:
    """One run; for a POST of ours, how many versions it moved, once the server is idle."""
    plans = scenario.plans()
    outcome: Run = run(scenario, plans, seconds, connections, tmp)
    if scenario.count_writes:
        outcome.writes = settled_versions(scenario.port, plans) - sum(p.version for p in plans)
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


def use_wrk(args: argparse.Namespace) -> bool:
    return bool(shutil.which("wrk")) and not args.python_load


# -- report ---------------------------------------------------------------------------------------


def verdicts(results: list[Measurement]) -> dict[str, dict[str, Any]]:
    """Ratio to the baseline: the median of the rounds' ratios (each round's pair ran together)."""
    by_name = {m.name: m for m in results}
    out = {}
    for name, (baseline, target) in TARGETS.items():
        pairs = zip(by_name[name].runs, by_name[baseline].runs, strict=True)
        ratios = [ours.rps / base.rps if base.rps else 0.0 for ours, base in pairs]
        ratio = statistics.median(ratios)
        out[name] = {"baseline": baseline, "ratio": ratio, "round_ratios": ratios,
                     "target": target, "pass": ratio >= target}  # fmt: skip
    return out


def print_table(results: list[Measurement], checks: dict[str, dict[str, Any]]) -> None:
    print(
        f"{'scenario':<24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'saves':>6}"
        f"  {'ratio (rounds)':<20} target"
    )
    print("-" * 96)
    for m in sorted(results, key=lambda m: (m.name.startswith("baseline"), m.name)):
        saves = "-" if m.writes is None else str(m.writes)
        print(
            f"{m.name:<24} {m.rps:>7.1f} {m.p50_ms:>7.1f} {m.p95_ms:>7.1f} {m.errors:>6}"
            f" {saves:>6}  {verdict(checks.get(m.name))}"
        )
    for m in results:
        if m.errors:
            print(f"{m.name}: {m.errors} errors, the last: {m.last_error}")


def verdict(check: dict[str, Any] | None) -> str:
    if check is None:
        return ""
    spread = f"{min(check['round_ratios']):.2f}-{max(check['round_ratios']):.2f}"
    outcome = "PASS" if check["pass"] else "FAIL"
    ratio = f"{check['ratio']:.2f} ({spread})"
    return f"{ratio:<20} >= {check['target']:.2f} {outcome}"


def report(results: list[Measurement], info: dict[str, Any], as_json: bool) -> None:
    checks = verdicts(results)
    if as_json:
        rows = [{**m.row(), **checks.get(m.name, {})} for m in results]
        print(json.dumps({**info, "results": rows}, indent=2))
        return
    print(
        f"gunicorn, 2 sync workers a side; {info['loadgen']}, {info['connections']} connections; "
        f"{info['rounds']} rounds of {info['seconds'] / info['rounds']:g} s a row after "
        f"{info['warmup']:g} s warm-up; {info['database']}; rate limits in "
        f"{info['ratelimit']}; page '{MEASURED}' ({info['page_bytes']} bytes)\n"
    )
    print_table(results, checks)


# -- profile (in-process, test client) ------------------------------------------------------------


# (label, path suffix, function) of the parts a request's time is shared among; they overlap
PARTS = (
    ("before_request: link + response", "questionnaire/web/customer/blueprint.py", "load_link"),
    ("flow evaluate (all calls)", "questionnaire/engine/flow.py", "evaluate"),
    ("  answer parsing in it", "questionnaire/engine/answers.py", "parse_answer"),
    ("submit_page", "questionnaire/engine/submit.py", "submit_page"),
    ("page_form (WTForms class)", "questionnaire/web/forms.py", "page_form"),
    ("template render", "flask/templating.py", "_render"),
    ("SQLAlchemy Session.execute", "sqlalchemy/orm/session.py", "execute"),
    ("CSRF check (parses the form)", "flask_wtf/csrf.py", "protect"),
    ("rate limiter", "flask_limiter/_extension.py", "_check_request_limit"),
)


def profile(config: dict[str, str], customer: Customer, requests: int, top: int) -> None:
    """Time, then cProfile, ``requests`` GETs and no-op POSTs of the page via the test client."""
    import questionnaire

    app = questionnaire.create_app(config)
    client = app.test_client()
    client.set_cookie("session", customer.cookie)
    body = noop_body(customer, found(VERSION, client.get(customer.page).text))
    for label, call in (
        ("GET", lambda: client.get(customer.page)),
        ("POST no-op", lambda: client.post(customer.page, data=body, content_type=MULTIPART)),
    ):
        median = statistics.median(timed(call) for _ in range(requests)) * 1000
        profiler = cProfile.Profile()
        for _ in range(requests):
            profiler.runcall(call)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        print(f"\n== {label}: {median:.2f} ms a request in-process (median of {requests})")
        print_parts(stats, requests)
        stats.sort_stats("cumulative").print_stats(top)


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def print_parts(stats: pstats.Stats, requests: int) -> None:
    """Each part's cumulative share of the profiled time, and its calls per request."""
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values())
    print(f"  {'part (shares overlap)':<34} {'time':>6}  calls/request")
    for label, path, function in PARTS:
        entries = [
            entry for (file, _line, name), entry in table.items()
            if name == function and file.endswith(path)
        ]  # fmt: skip
        share = 100 * sum(e[3] for e in entries) / total
        print(f"  {label:<34} {share:5.1f}%  {sum(e[1] for e in entries) / requests:5.1f}")


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=9, help="per scenario, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=float, default=2, help="before a scenario's first run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.add_argument("--database-url", help="a scratch database instead of SQLite in tmp")
    parser.add_argument("--ratelimit-storage", default="memory://", help="e.g. redis://...")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--profile", type=int, metavar="N", help="only cProfile N requests")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the servers
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-web-")))
        database = args.database_url or f"sqlite:///{tmp / 'bench.sqlite'}"
        config = app_config(tmp, database, args.ratelimit_storage)
        count = 1 if args.profile else args.connections + 1
        log(f"set-up: {count} customers on '{DEFINITION}', up to '{MEASURED}'")
        customers, html = prepare(config, count)
        if args.profile:
            profile(config, customers[0], args.profile, 30)
            return 0
        html_path = tmp / "baseline.json"
        template = baseline_template(html)
        html_path.write_text(json.dumps(
            {"template": template, "csrf": customers[0].csrf, "version": found(VERSION, html)}
        ))  # fmt: skip
        env = {f"QUESTIONNAIRE_{key}": value for key, value in config.items()}
        first = customers[0]
        app_port = stack.enter_context(
            gunicorn("questionnaire:create_app()", env, tmp / "app.log", first.page, first.headers)
        )
        base_env = {HTML_ENV: str(html_path)}
        base_port = stack.enter_context(
            gunicorn("bench.web:baseline_app()", base_env, tmp / "base.log", "/page", {})
        )
        results = measure(scenarios(app_port, base_port, customers), args, tmp)
        info = {
            "loadgen": "wrk" if use_wrk(args) else "python", "connections": args.connections,
            "seconds": args.seconds, "rounds": args.rounds, "warmup": args.warmup,
            "database": database.split(":", 1)[0], "ratelimit": args.ratelimit_storage,
            "page_bytes": len(html.encode()),
        }  # fmt: skip
        report(results, info, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
