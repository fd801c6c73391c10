"""Load generators for ``bench/web.py``: wrk driven by a Lua script, or a Python one when wrk
is missing. Each runs one scenario's plans for a given time and counts what was answered."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from pathlib import Path

from bench.timing import VERSION, Plan, Run, Scenario

# -- wrk ------------------------------------------------------------------------------------------


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
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "bad": %%d, ' ..
    '"last": %%d, "socket": %%d}\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), bad, last, e.connect + e.read + e.write + e.timeout))
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
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(script),
               f"http://127.0.0.1:{scenario.server.port}"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line.removeprefix("BENCH "))
    return Run(
        raw["requests"], raw["duration_us"] / 1e6, raw["p50_us"] / 1000,
        raw["p99_us"] / 1000, raw["bad"] + raw["socket"],
        f"status {raw['last']}" if raw["last"] else ("socket errors" if raw["socket"] else ""),
    )  # fmt: skip


# -- the Python load generator --------------------------------------------------------------------


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
    port = scenario.server.port
    workers = [
        Connection(port, plans[i % len(plans)], scenario.expected, started + seconds)
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
        percentile(latencies, 99) * 1000, sum(w.errors for w in workers),
        next((w.last_error for w in workers if w.last_error), ""),
    )  # fmt: skip


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
