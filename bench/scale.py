"""Scale benchmark: the engineers' list with 10,000 engagements and 100,000 responses, against
the same list on an empty database, on PostgreSQL.

Run ``.venv/bin/python bench/scale.py [--database-url URL] [--rounds 5] [--requests 20] [--json]``.

It creates two schemas in the given PostgreSQL database (``bench_scale_full_<pid>`` and
``bench_scale_empty_<pid>``), migrates both with Alembic, fills one with COPY (engagements in
every stage, their links, responses with realistic answers, SoW drafts and sent revisions, and
their history), fills the list's columns with the migration's own backfill, and runs VACUUM
ANALYZE. An app per schema serves the list through Flask's test client, signed in as an
engineer. Each listing request (the first page, two searches, each stage filter, a second page)
is timed on both, interleaved in rounds, and reported with p50/p99 wall time, CPU time of this
process per request, SQL statements per request, and the full/empty ratio of the medians
(target: at most 2). The schemas are dropped at the end. Benchmarks report; they never fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from questionnaire import create_app  # noqa: E402
from questionnaire.services import accounts  # noqa: E402
from questionnaire.store import db as store  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGAGEMENTS = 10_000
RESPONSES = 100_000
PASSWORD = "bench password 1234"
#: How many engagements of the 10,000 are in each stage (sow_sent has a sent revision).
STAGE_COUNTS = {
    "invited": 1_500,
    "no_link": 500,
    "in_progress": 4_000,
    "submitted": 3_000,
    "sow_sent": 1_000,
}
#: One engagement in 1,000 is a "Zebra": the rare search; "Trust" is in half the names.
RARE, COMMON = "zebra", "trust"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NEXT = re.compile(r'rel="next" href="([^"]+)"')


# -- the schemas ---------------------------------------------------------------------------------


def schema_url(url: str, schema: str) -> str:
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"


@contextmanager
def schemas(url: str, names: list[str]) -> Iterator[list[str]]:
    """Fresh schemas, migrated to head, dropped at the end whatever happens."""
    engine = store.make_engine(url)
    try:
        with engine.begin() as connection:
            for name in names:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
        urls = [schema_url(url, name) for name in names]
        for schema in urls:
            store.upgrade(schema)
        yield urls
    finally:
        with engine.begin() as connection:
            for name in names:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


# -- the data ------------------------------------------------------------------------------------


def stages() -> list[str]:
    """Each engagement's stage, spread evenly over the ids (and so over creation time)."""
    order = [stage for stage, count in STAGE_COUNTS.items() for _ in range(count)]
    step = 7_919  # a prime: a fixed shuffle, the same every run
    return [order[(i * step) % len(order)] for i in range(len(order))]


def answers(n: int) -> str:
    """About 1 KB of answers, like a response half-way through pre_discovery."""
    return json.dumps({
        "organisation": f"Organisation {n}", "contact_name": "Alex Morgan",
        "contact_email": f"alex{n}@example.org", "load_balancing_summary": "PACS web viewer " * 20,
        "deployment_types": ["medical", "storage"], "network_fabric": "traditional",
        "services": [{"name": f"svc{k}", "protocol": "tcp", "port": 8000 + k} for k in range(8)],
    })  # fmt: skip


def copy(cursor: Any, table: str, columns: str, rows: Iterator[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as pipe:
        for row in rows:
            pipe.write_row(row)


def fill(url: str) -> dict[str, float]:
    """The 10,000 engagements and everything they hold, by COPY; seconds per step."""
    timings: dict[str, float] = {}
    now = datetime.now(UTC)
    plan = stages()
    engine = store.make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        _fill_rows(cursor, plan, now)
        raw.commit()
        timings["copy s"] = time.perf_counter() - start
        start = time.perf_counter()
        cursor.execute(backfill_sql())
        raw.commit()
        timings["backfill s"] = time.perf_counter() - start
    finally:
        raw.close()
        engine.dispose()
    vacuum(url)
    return timings


def _fill_rows(cursor: Any, plan: list[str], now: datetime) -> None:
    created = [now - timedelta(minutes=ENGAGEMENTS - i) for i in range(len(plan))]
    copy(cursor, "engagements", "id, customer, project, facts, created_at, created_by, stage_since",
         ((i + 1, _customer(i), f"Project {i}", "{}", created[i], "bench", created[i])
          for i in range(len(plan))))  # fmt: skip
    copy(cursor, "links", "engagement_id, definition_id, token_hash, created_at, created_by, "
         "expires_at, revoked_at", _links(plan, created, now))  # fmt: skip
    cursor.execute(
        "INSERT INTO definition_versions (sha256, definition_id, version, source_name,"
        " source_text, created_at) SELECT 'bench' || n, 'd' || n, '1', 'bench.yaml', '', now()"
        " FROM generate_series(0, 12) AS n"
    )
    copy(cursor, "responses", "engagement_id, definition_id, definition_sha256, status, answers,"
         " version, created_at, updated_at, submitted_at", _responses(plan, created))  # fmt: skip
    _fill_sow(cursor, plan, created)
    copy(cursor, "audit_events", "at, actor, action, engagement_id, detail",
         ((created[i] + timedelta(seconds=s), "bench", "bench.event", i + 1, "{}")
          for i in range(len(plan)) for s in range(13)))  # fmt: skip


def _customer(i: int) -> str:
    kind = "Zebra Imaging" if i % 1_000 == 7 else "Health"
    return f"{kind} {i:05d} " + ("NHS Trust" if i % 2 else "Partnership")


def _links(plan: list[str], created: list[datetime], now: datetime) -> Iterator[tuple[Any, ...]]:
    for i, stage in enumerate(plan):
        ended = stage == "no_link" or (stage != "invited" and i % 3 == 0)
        expires = now - timedelta(days=1) if ended and i % 2 else now + timedelta(days=14)
        revoked = now - timedelta(days=2) if ended and not i % 2 else None
        yield (i + 1, "pre_discovery", f"{i:064x}", created[i], "bench", expires, revoked)


def _responses(plan: list[str], created: list[datetime]) -> Iterator[tuple[Any, ...]]:
    started = [i for i, stage in enumerate(plan) if stage not in ("invited", "no_link")]
    per, extra = divmod(RESPONSES, len(started))
    for rank, i in enumerate(started):
        for d in range(per + (rank < extra)):
            submitted = plan[i] in ("submitted", "sow_sent") and d == 0
            at = created[i] + timedelta(seconds=d)
            status = "submitted" if submitted else "draft"
            yield (i + 1, f"d{d}", f"bench{d}", status, answers(i), 3, at, at,
                   at if submitted else None)  # fmt: skip


def _fill_sow(cursor: Any, plan: list[str], created: list[datetime]) -> None:
    """A draft for each submitted engagement (its first response); a sent revision if sow_sent."""
    cursor.execute(
        "INSERT INTO sow_drafts (engagement_id, response_id, prefill, created_at)"
        " SELECT engagement_id, id, '{}', created_at FROM responses WHERE status = 'submitted'"
    )
    sent = {i + 1 for i, stage in enumerate(plan) if stage == "sow_sent"}
    cursor.execute("SELECT id, engagement_id FROM sow_drafts")
    drafts = cursor.fetchall()
    copy(cursor, "sow_revisions", "draft_id, number, markdown, author, created_at, sent_at",
         ((draft, 1, "# SoW\n" * 50, "bench", created[eid - 1], created[eid - 1] if eid in sent
           else None) for draft, eid in drafts))  # fmt: skip


def backfill_sql() -> str:
    """The migration's own backfill, so the bench also times it at this scale."""
    path = next((ROOT / "questionnaire/store/migrations/versions").glob("0004_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BACKFILL)


def vacuum(url: str) -> None:
    engine = store.make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for table in ("engagements", "links", "responses", "audit_events", "sow_drafts",
                      "sow_revisions"):  # fmt: skip
            connection.execute(text(f"VACUUM ANALYZE {table}"))
    engine.dispose()


# -- measuring -----------------------------------------------------------------------------------


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


def table(rows: list[Row], timings: dict[str, float]) -> str:
    head = (
        "scenario",
        "empty p50",
        "full p50",
        "full p99",
        "cpu empty",
        "cpu full",
        "sql",
        "ratio",
    )
    lines = [f"{head[0]:<26}" + "".join(f"{h:>11}" for h in head[1:]) + "  target <= 2"]
    for r in rows:
        lines.append(
            f"{r.scenario:<26}{r.empty_p50_ms:>9.2f}ms{r.full_p50_ms:>9.2f}ms{r.full_p99_ms:>9.2f}ms"
            f"{r.empty_cpu_ms:>9.2f}ms{r.full_cpu_ms:>9.2f}ms{r.statements:>11}{r.ratio:>11.2f}"
            f"  {r.verdict}"
        )
    lines.append("set-up: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    return "\n".join(lines)


def explain(url: str) -> str:
    """The plans of the list's count and page queries for one stage, for reading."""
    engine = store.make_engine(url)
    out = io.StringIO()
    with engine.connect() as connection:
        for sql in (
            "SELECT count(*) FROM engagements WHERE response_status = 'submitted'"
            " AND sow_sent_at IS NULL",
            "SELECT id FROM engagements WHERE response_status = 'submitted' AND sow_sent_at IS NULL"
            " ORDER BY created_at DESC, id DESC LIMIT 26",
            "SELECT id FROM engagements WHERE search_text LIKE '%zebra%'"
            " ORDER BY created_at DESC, id DESC LIMIT 26",
            "SELECT count(*) FROM engagements WHERE search_text LIKE '%trust%'",
        ):
            plan = connection.execute(text("EXPLAIN ANALYZE " + sql)).scalars().all()
            out.write(sql + "\n  " + "\n  ".join(plan) + "\n")
    engine.dispose()
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="a PostgreSQL database")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="per scenario, site and round")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the query plans too")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("the scale benchmark runs on PostgreSQL")
    names = [f"bench_scale_full_{os.getpid()}", f"bench_scale_empty_{os.getpid()}"]
    with (
        schemas(args.database_url, names) as (full_url, empty_url),
        tempfile.TemporaryDirectory() as tmp,
    ):
        timings = fill(full_url)
        empty, full = (
            Site.open(n, u, Path(tmp)) for n, u in (("empty", empty_url), ("full", full_url))
        )
        try:
            rows = run(empty, full, args.rounds, args.requests)
        finally:
            empty.close()
            full.close()
        plans = explain(full_url) if args.explain else ""
    if args.json:
        print(json.dumps({"rows": [asdict(r) for r in rows], "setup": timings}, indent=2))
    else:
        print(table(rows, timings))
        if plans:
            print(plans)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
