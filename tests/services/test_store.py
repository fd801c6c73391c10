"""The store's sessions on SQLite: a unit of work that reads, then writes, never fails with
"database is locked" because someone else wrote in between (a writer's session begins
IMMEDIATE), and SAVEPOINTs roll back only their part."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from questionnaire.store.db import Database
from questionnaire.store.models import Engagement

from .factories import Factory


def read_then_write(database: Database, writer: bool) -> None:
    """Read an engagement, let another connection write and commit, then write."""
    other_wrote = threading.Event()

    def other() -> None:
        with database.writer() as db:
            db.execute(update(Engagement).values(project="changed by someone else"))
            db.commit()
        other_wrote.set()

    with database.writer() if writer else database.session() as db:
        db.scalars(select(Engagement)).all()
        thread = threading.Thread(target=other)
        thread.start()
        other_wrote.wait(0.5)  # a writer's session holds the write lock: the other waits
        db.execute(update(Engagement).values(customer="changed here"))
        db.commit()
    thread.join()


def test_a_writer_that_read_first_is_never_told_the_database_is_locked(
    database: Database, make: Factory
) -> None:
    if database.is_postgresql:
        pytest.skip("a SQLite locking rule")
    make.engagement()
    read_then_write(database, writer=True)
    with database.session() as db:
        [engagement] = db.scalars(select(Engagement)).all()
    assert (engagement.customer, engagement.project) == ("changed here", "changed by someone else")


def test_a_deferred_reader_that_writes_late_is_refused_which_is_why_writers_exist(
    database: Database, make: Factory
) -> None:
    if database.is_postgresql:
        pytest.skip("a SQLite locking rule")
    make.engagement()
    with pytest.raises(OperationalError, match="database is locked"):
        read_then_write(database, writer=False)


def test_a_savepoint_rolls_back_only_its_part(database: Database, make: Factory) -> None:
    first = make.engagement("First")
    with database.writer() as db:
        db.execute(update(Engagement).values(project="kept"))
        with pytest.raises(IntegrityError), db.begin_nested():
            db.add(Engagement(id=first.id, customer="duplicate", created_by="t"))
        db.commit()
    with database.session() as db:
        assert db.scalars(select(Engagement.project)).all() == ["kept"]
