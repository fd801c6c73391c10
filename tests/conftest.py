"""Shared fixtures: an app per test on a fresh database, SQLite always, PostgreSQL when
``TEST_DATABASE_URL`` is set (every database test then runs on both)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from questionnaire import create_app
from questionnaire.store import db
from questionnaire.store.models import Base

pytest_plugins = ["tests.smtp"]  # the smtp_server fixture: a real SMTP server

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
DATABASES = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test database, emptied and migrated once per session."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    engine = db.make_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    db.upgrade(PG_URL)
    return PG_URL


def _truncate(url: str) -> None:
    engine = db.make_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


@pytest.fixture
def postgres_only(database_url: str) -> str:
    """For guarantees SQLite cannot give (it ignores SELECT ... FOR UPDATE and row locks)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency guarantees are tested on PostgreSQL")
    return database_url


def app_config(database_url: str, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "EXPORT_DIR": str(tmp_path / "exports"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "DEFINITIONS_DIR": str(ROOT / "tests" / "web" / "definitions"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "https://questionnaire.example.com",
        **overrides,
    }


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, config_overrides: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config(database_url, tmp_path, **config_overrides))
    yield application
    application.extensions["db_engine"].dispose()
