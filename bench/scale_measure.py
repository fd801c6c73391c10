"""The scale benchmark's measuring: an app per schema with a signed-in engineer, the listing
requests it times on both, and the rows it reports (p50/p99 wall time, CPU, SQL statements).

Split from ``scale`` to keep it short; ``bench/scale.py`` runs the benchmark.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.scale_data import ROOT, STAGE_COUNTS
from questionnaire import create_app
from questionnaire.services import accounts
from questionnaire.store import db as store

PASSWORD = "bench password 1234"
#: One engagement in 1,000 is a "Zebra": the rare search; "Trust" is in half the names.
RARE, COMMON = "zebra", "trust"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NEXT = re.compile(r'rel="next" href="([^"]+)"')


@dataclass
class Site:
    """An app on one schema, a signed-in engineer's client, and a statement counter."""

    name: str
    app: Any
    client: Any
    statements: list[int]

    @classmethod
    def open(cls, name: str, url: str, tmp: Path) -> Site:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": "memory://", "UPLOAD_DIR": str(tmp / name / "uploads"),
            "EXPORT_DIR": str(tmp / name / "exports"), "DEFINITIONS_DIR": str(ROOT / "definitions"),
        })  # fmt: skip
        with app.app_context():
            accounts.create_user(store.session(), "bench@example.com", PASSWORD, "Bench")
        client = app.test_client()
        token = CSRF.search(client.get("/e/login").text)
        assert token, "no CSRF token on the login page"
        signed_in = client.post("/e/login", data={
            "csrf_token": token.group(1), "email": "bench@example.com", "password": PASSWORD,
        })  # fmt: skip
        assert signed_in.status_code == 302, signed_in.status_code
        statements = [0]
        event.listen(app.extensions["db_engine"], "before_cursor_execute",
                     lambda *_: statements.__setitem__(0, statements[0] + 1))  # fmt: skip
        return cls(name, app, client, statements)

    def close(self) -> None:
        self.app.extensions["db_engine"].dispose()


@dataclass
class Sample:
    wall_ms: list[float]
    cpu_ms: list[float]
    statements: int = 0


def measure(site: Site, url: str, requests: int) -> Sample:
    sample = Sample([], [])
    for _ in range(requests):
        before = site.statements[0]
        wall, cpu = time.perf_counter(), time.process_time()
        response = site.client.get(url)
        sample.cpu_ms.append((time.process_time() - cpu) * 1000)
        sample.wall_ms.append((time.perf_counter() - wall) * 1000)
        assert response.status_code == 200, (site.name, url, response.status_code)
        sample.statements = site.statements[0] - before
    return sample


def scenarios(full: Site) -> dict[str, str]:
    found = {"first page": "/e/", f"search '{RARE}' (rare)": f"/e/?q={RARE}",
             f"search '{COMMON}' (half)": f"/e/?q={COMMON}"}  # fmt: skip
    for stage in STAGE_COUNTS:
        found[f"stage {stage}"] = f"/e/?stage={stage}"
    second = NEXT.search(full.client.get("/e/").text)
    if second:
        found["second page (keyset)"] = second.group(1).replace("&amp;", "&")
    return found


@dataclass
class Row:
    scenario: str
    empty_p50_ms: float
    full_p50_ms: float
    full_p99_ms: float
    empty_cpu_ms: float
    full_cpu_ms: float
    statements: int
    ratio: float
    verdict: str


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(empty: Site, full: Site, rounds: int, requests: int) -> list[Row]:
    urls = scenarios(full)
    samples: dict[tuple[str, str], Sample] = {}
    ratios: dict[str, list[float]] = {name: [] for name in urls}
    for url in urls.values():  # warm-up: caches, query plans
        measure(empty, url, 3)
        measure(full, url, 3)
    for _ in range(rounds):
        for name, url in urls.items():
            pair = [measure(site, url, requests) for site in (empty, full)]
            ratios[name].append(
                statistics.median(pair[1].wall_ms) / statistics.median(pair[0].wall_ms)
            )
            for site, sample in zip((empty, full), pair, strict=True):
                kept = samples.setdefault((name, site.name), Sample([], []))
                kept.wall_ms += sample.wall_ms
                kept.cpu_ms += sample.cpu_ms
                kept.statements = sample.statements
    return [_row(name, samples[(name, "empty")], samples[(name, "full")], ratios[name])
            for name in urls]  # fmt: skip


def _row(name: str, empty: Sample, full: Sample, ratios: list[float]) -> Row:
    ratio = statistics.median(ratios)
    return Row(
        name, statistics.median(empty.wall_ms), statistics.median(full.wall_ms),
        percentile(full.wall_ms, 0.99), statistics.median(empty.cpu_ms),
        statistics.median(full.cpu_ms), full.statements, ratio,
        "PASS" if ratio <= 2 else "FAIL",
    )  # fmt: skip
