"""0014 (close-out) keeps what is there: sessions recorded before it get no days used, and a
downgrade drops only close-out's tables and the column."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from questionnaire.store import db
from tests.conftest import PG_URL

CLOSEOUT_TABLES = {"support_notes", "engagement_completions", "support_handover_exports",
                   "outgoing_webhooks"}  # fmt: skip


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'closeout.sqlite'}"]
    if PG_URL:
        engine = db.make_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_0014 CASCADE"))
            connection.execute(text("CREATE SCHEMA migration_0014"))
        engine.dispose()
        urls.append(
            PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dmigration_0014"
        )
    return urls


def test_sessions_recorded_before_close_out_keep_everything_and_have_no_days_used(
    tmp_path: Path,
) -> None:
    for url in _urls(tmp_path):
        db.upgrade(url, "0013")
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO engagements (customer, facts, created_at, created_by, pipeline_stage,"
                " stage_since) VALUES ('Kept Ltd', '{}', CURRENT_TIMESTAMP, 'test', 'in_progress',"
                " CURRENT_TIMESTAMP)"
            ))  # fmt: skip
            connection.execute(text(
                "INSERT INTO implementation_sessions (engagement_id, held_on, engineer_name, notes,"
                " complete, recorded_by, recorded_at) SELECT id, '2026-12-01', 'Eve', 'VIPs',"
                " TRUE, 'eve', CURRENT_TIMESTAMP FROM engagements"
            ))  # fmt: skip
        db.upgrade(url, "0014")
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT notes, days_used FROM implementation_sessions")
            ).all()
            tables = set(inspect(connection).get_table_names())
        assert [tuple(row) for row in kept] == [("VIPs", None)], url
        assert tables >= CLOSEOUT_TABLES, url
        db.downgrade(url, "0013")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {
                c["name"] for c in inspect(connection).get_columns("implementation_sessions")
            }
            notes = connection.execute(text("SELECT notes FROM implementation_sessions")).scalars()
            assert list(notes) == ["VIPs"], url
        assert not CLOSEOUT_TABLES & tables and "days_used" not in columns, url
        engine.dispose()
