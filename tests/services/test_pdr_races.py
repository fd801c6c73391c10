"""Races on the PDR, settled by the database: one PDR per engagement, one revision per number
(two pages saved from the same revision: one lands, the other is told; nothing is lost)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import pdr_desk
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.delivery import Pdr, PdrRevision
from questionnaire.store.models import AuditEvent

from .factories import Factory
from .pdr_support import accepted
from .sow_support import ENGINEER


def _at_once(url: str, count: int, attempt: Callable[[Session, int], str]) -> list[str]:
    """``count`` attempts, each in its own session and connection, released together."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def run(n: int) -> None:
        own = Database(url)
        with own.writer() as session:
            barrier.wait()
            outcomes.append(attempt(session, n))
        own.dispose()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_saves_from_one_revision_land_once(
    make: Factory, db: Session, services: Context, database: Database, database_url: str
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)

    def save(session: Session, n: int) -> str:
        try:
            pdr_desk.save_row(session, engagement_id, "ha.new", {"name": f"lb{n}"}, 1, ENGINEER)
        except pdr_desk.RevisionConflict:
            return "conflict"
        return "saved"

    outcomes = _at_once(database_url, 10, save)
    assert sorted(outcomes) == ["conflict"] * 9 + ["saved"]
    db.rollback()
    numbers = db.scalars(select(PdrRevision.number).order_by(PdrRevision.number)).all()
    assert numbers == [1, 2]
    [saved] = db.scalars(select(PdrRevision).where(PdrRevision.number == 2)).all()
    assert len(saved.content["ha"]) == len(pdr_desk.the_pdr(db, engagement_id).revisions[0]
                                           .content["ha"]) + 1  # fmt: skip


def test_parallel_creates_make_one_pdr(
    make: Factory, db: Session, services: Context, database: Database, database_url: str
) -> None:
    engagement_id = accepted(make, db, services, database)

    def create(session: Session, n: int) -> str:
        return str(pdr_desk.create(session, engagement_id, f"eng{n}@example.com").id)

    outcomes = _at_once(database_url, 10, create)
    assert len(set(outcomes)) == 1
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Pdr)) == 1
    assert db.scalar(select(func.count()).select_from(PdrRevision)) == 1
    created = select(func.count()).where(AuditEvent.action == "pdr.create")
    assert db.scalar(created) == 1
