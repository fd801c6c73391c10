"""The scale benchmark's data: fresh schemas migrated to head, and 10,000 engagements with
100,000 responses and everything else the engineers' list reads, written by COPY.

Split from ``scale`` to keep it short; ``bench/scale.py`` runs the benchmark.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from questionnaire.store import db as store

ROOT = Path(__file__).resolve().parent.parent
ENGAGEMENTS = 10_000
RESPONSES = 100_000
#: How many engagements of the 10,000 are in each stage (sow_sent has a sent revision).
STAGE_COUNTS = {
    "invited": 1_500,
    "no_link": 500,
    "in_progress": 4_000,
    "submitted": 3_000,
    "sow_sent": 1_000,
}


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
