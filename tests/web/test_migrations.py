"""Alembic is the only way the schema is made: an empty database upgrades to head, and the
models and the migrations agree, on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import inspect as inspect_module
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
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


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(
    empty_databases: list[str],
) -> None:
    revisions = _revisions_in_order()
    for url in empty_databases:
        schemas = [_schema(url)]  # schemas[i]: the schema before revisions[i] ran
        for revision in revisions:
            db.upgrade(url, revision.revision)
            assert db.current_revision(url) == revision.revision
            schemas.append(_schema(url))
            _assert_made(_declared(revision), schemas[-2], schemas[-1], (url, revision.revision))
        for step, revision in reversed(list(enumerate(revisions))):
            db.downgrade(url, str(revision.down_revision or "base"))
            assert db.current_revision(url) == revision.down_revision
            # Undone exactly: the tables, columns and indexes from before it, no more, no less.
            assert _schema(url) == schemas[step], (url, revision.revision)
        db.upgrade(url)
        assert _schema(url) == schemas[-1], url


# -- what each revision declares, read from its upgrade() ----------------------------------------

Schema = dict[str, tuple[frozenset[str], frozenset[str]]]  # table: (columns, index names)


@dataclass
class Declared:
    """What a revision's ``upgrade()`` says it does, as read from its source."""

    tables_created: set[str] = field(default_factory=set)
    tables_dropped: set[str] = field(default_factory=set)
    columns_added: set[tuple[str, str]] = field(default_factory=set)
    columns_dropped: set[tuple[str, str]] = field(default_factory=set)
    indexes_created: set[tuple[str, str]] = field(default_factory=set)


def _revisions_in_order() -> list[Script]:
    """From Alembic's script directory, base first (revisions are being added all the time)."""
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        assert not isinstance(revision.down_revision, tuple), "this test walks a linear history"
    return revisions


def _schema(url: str) -> Schema:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        inspector = inspect(connection)
        schema = {
            table: (
                frozenset(c["name"] for c in inspector.get_columns(table)),
                frozenset(str(i["name"]) for i in inspector.get_indexes(table)),
            )
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
    engine.dispose()
    return schema


def _assert_made(declared: Declared, before: Schema, after: Schema, where: Any) -> None:
    assert declared.tables_created.isdisjoint(before), where
    assert declared.tables_dropped <= before.keys(), where
    # Exactly the tables it declares appear or go, and no others.
    expected = (before.keys() - declared.tables_dropped) | declared.tables_created
    assert after.keys() == expected, where
    for table, column in declared.columns_added:
        assert column not in before.get(table, ((), ()))[0] and column in after[table][0], where
    for table, column in declared.columns_dropped:
        assert column in before[table][0] and column not in after.get(table, ((), ()))[0], where
    for table, index in declared.indexes_created:
        assert index in after[table][1], where


def _declared(revision: Script) -> Declared:
    source = textwrap.dedent(inspect_module.getsource(revision.module.upgrade))
    declared = Declared()
    _read_operations(ast.parse(source), None, declared)
    return declared


def _read_operations(node: ast.AST, batch_table: str | None, declared: Declared) -> None:
    """Walk ``node``, knowing the table of the enclosing ``with op.batch_alter_table(...)``."""
    if isinstance(node, ast.With):
        batch_table = _batch_table(node) or batch_table
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        _read_call(node.func.attr, _strings(node.args), batch_table, declared)
    for child in ast.iter_child_nodes(node):
        _read_operations(child, batch_table, declared)


def _batch_table(statement: ast.With) -> str | None:
    for item in statement.items:
        call = item.context_expr
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "batch_alter_table":
            return _strings(call.args)[0]
    return None


def _read_call(name: str, args: list[str], batch_table: str | None, declared: Declared) -> None:
    """One ``op.*`` or ``batch_op.*`` call: op's name the table first, batch_op's take it from
    the ``with`` block; ``create_index`` names the index first, then (op only) the table."""
    if name == "create_table":
        declared.tables_created.add(args[0])
    elif name == "drop_table":
        declared.tables_dropped.add(args[0])
    elif name in ("add_column", "drop_column"):
        table, column = (batch_table, args[0]) if batch_table else (args[0], args[1])
        changed = declared.columns_added if name == "add_column" else declared.columns_dropped
        changed.add((table, column))
    elif name == "create_index":
        table = batch_table or args[1]
        declared.indexes_created.add((table, args[0]))


def _strings(args: list[ast.expr]) -> list[str]:
    """The string arguments of a call, unwrapping ``op.f("name")``, ``sa.Column("name", ...)``."""
    found = []
    for arg in args:
        if isinstance(arg, ast.Call) and arg.args:
            arg = arg.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append(arg.value)
    return found


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
                # Columns added NOT NULL without a server default (0006's stage_since) need a value.
                stamped = [
                    c["name"]
                    for c in inspect(connection).get_columns("engagements")
                    if c["name"] in ("stage_since",)
                ]
                names = ", ".join(
                    ["customer", "project", "facts", "created_at", "created_by", *stamped]
                )
                stamps = ", CURRENT_TIMESTAMP" * len(stamped)
                connection.execute(
                    text(
                        f"INSERT INTO engagements ({names}) "
                        f"VALUES ('Kept Ltd', NULL, '{{}}', CURRENT_TIMESTAMP, 'test'{stamps})"
                    )
                )
            db.upgrade(url)
            with engine.connect() as connection:
                kept = connection.execute(text("SELECT customer FROM engagements")).scalars().all()
            engine.dispose()
            assert kept == ["Kept Ltd"], (url, earlier)
