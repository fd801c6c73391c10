"""Reading the database's state in tests, and per-test configuration."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from questionnaire.store import db
from questionnaire.store.models import Base, Response
from questionnaire.worker import Outcome, Worker


def with_config(**overrides: Any) -> pytest.MarkDecorator:
    """Run a test with these app settings (through the module's ``config_overrides`` fixture)."""
    return pytest.mark.parametrize("config_overrides", [overrides], indirect=True, ids=[""])


def dump(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a request changed nothing."""
    with app.app_context():
        session = db.session()
        return {
            table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def answers(app: Flask) -> dict[str, Any]:
    """The answers of the only response."""
    with app.app_context():
        stored: dict[str, Any] = db.session().execute(select(Response.answers)).scalar_one()
        return stored


def run_jobs(app: Flask) -> list[Outcome]:
    """Run the background jobs that are due (SoW pre-fills, exports) as the worker would,
    in this process; returns what ran."""
    worker = Worker(app.extensions["services"], app.extensions["database"], isolate=False)
    return worker.run_pending()
