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

This module runs it and prints the report; the data is made in ``scale_data`` and the requests
are timed in ``scale_measure``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.scale_data import fill, schemas  # noqa: E402
from bench.scale_measure import Row, Site, run  # noqa: E402
from questionnaire.store import db as store  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
