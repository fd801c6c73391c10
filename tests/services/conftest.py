"""Service tests run the use cases with no Flask app: a database, a context and factories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from questionnaire.services.context import Context
from questionnaire.store.db import Database
from tests.conftest import app_config

from .factories import Factory


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Context:
    """The use cases' context (named so as not to shadow pytest-playwright's ``context``)."""
    return Context.from_config(app_config(database_url, tmp_path))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    found = Database(database_url)
    yield found
    found.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def make(db: Session, services: Context) -> Factory:
    return Factory(db, services)
