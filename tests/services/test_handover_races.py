"""Issuing the customer handover document at the same moment, on PostgreSQL: the engagement's
lock gives each issue its own number (1, 2, 3, ...), none is refused and none shares a number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import functional_tests, handover_document, pdr_desk
from questionnaire.services.context import Context
from questionnaire.services.functional_tests import FunctionalTestForm
from questionnaire.store.db import Database
from questionnaire.store.handover import HandoverDocument

from .factories import Factory
from .pdr_support import accepted
from .sow_support import ENGINEER
from .test_pdr_races import _at_once

PARALLEL = 6


def test_parallel_issues_get_one_number_each(
    make: Factory, db: Session, services: Context, database: Database, postgres_only: str
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    passed = FunctionalTestForm(target="virtual_service:PACS", what_tested="A study",
                                expected="Arrives", actual="Arrived", outcome="pass",
                                tested_on="2026-12-01")  # fmt: skip
    functional_tests.record(db, services.settings, engagement_id, passed, ENGINEER)

    def issue(session: Session, n: int) -> str:
        return str(handover_document.issue(session, engagement_id, f"eng{n}@example.com").number)

    outcomes = _at_once(postgres_only, PARALLEL, issue)
    assert sorted(outcomes, key=int) == [str(n) for n in range(1, PARALLEL + 1)]
    db.rollback()
    numbers = db.scalars(select(HandoverDocument.number).order_by(HandoverDocument.number)).all()
    assert numbers == list(range(1, PARALLEL + 1))
