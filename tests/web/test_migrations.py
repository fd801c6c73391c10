"""Alembic is the only way the schema is made: an empty database upgrades to head, and the
models and the migrations agree, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from questionnaire.store import db
from questionnaire.store.models import Base
from tests.conftest import PG_URL


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'empty.sqlite'}"]
    if PG_URL:
        urls.append(
            PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dmigration_check"
        )
    return urls


@pytest.fixture
def empty_databases(tmp_path: Path) -> list[str]:
    urls = _urls(tmp_path)
    if PG_URL:
        engine = db.make_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            connection.execute(text("CREATE SCHEMA migration_check"))
        engine.dispose()
    return urls


def test_empty_database_upgrades_to_head_and_matches_the_models(empty_databases: list[str]) -> None:
    head = ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()
    for url in empty_databases:
        db.upgrade(url)
        assert db.current_revision(url) == head
        engine = db.make_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == [], url
            tables = set(inspect(connection).get_table_names())
        engine.dispose()
        assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_every_revision_downgrades_and_upgrades_again(empty_databases: list[str]) -> None:
    for url in empty_databases:
        db.upgrade(url)
        db.downgrade(url, "base")
        assert db.current_revision(url) is None
        db.upgrade(url)


def test_a_database_at_every_earlier_revision_upgrades_without_loss(
    empty_databases: list[str],
) -> None:
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for url in empty_databases:
        for earlier in revisions[:-1]:
            if db.current_revision(url):
                db.downgrade(url, "base")
            db.upgrade(url, earlier)
            engine = db.make_engine(url)
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO engagements (customer, project, facts, created_at, created_by) "
                        "VALUES ('Kept Ltd', NULL, '{}', CURRENT_TIMESTAMP, 'test')"
                    )
                )
            db.upgrade(url)
            with engine.connect() as connection:
                kept = connection.execute(text("SELECT customer FROM engagements")).scalars().all()
            engine.dispose()
            assert kept == ["Kept Ltd"], (url, earlier)
