"""What the functional tests are measured against: the targets agreed in the accepted SoW, the
PDR's latest revision, the tests recorded and the checklist they make (read only; the pure
rules are ``delivery.handover_checklist``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.delivery import handover_checklist as rules
from questionnaire.store.delivery import PdrRevision
from questionnaire.store.handover import FunctionalTest
from questionnaire.store.models import Response

from . import pdr_desk


@dataclass(frozen=True)
class Checklist:
    """The agreed targets with their results, and what a test may be recorded against."""

    current: PdrRevision | None  # the PDR's latest revision (None: no PDR yet)
    agreed: tuple[rules.Target, ...]
    items: tuple[rules.Item, ...]
    testable: tuple[rules.Target, ...]
    tests: list[FunctionalTest]

    @property
    def missing(self) -> tuple[rules.Target, ...]:
        return rules.missing(self.items)


def tests_of(db: Session, engagement_id: int) -> list[FunctionalTest]:
    """The engagement's tests, in the order they were tested."""
    statement = (
        select(FunctionalTest)
        .where(FunctionalTest.engagement_id == engagement_id)
        .order_by(FunctionalTest.tested_on, FunctionalTest.id)
    )
    return list(db.scalars(statement).all())


def target_of(test: FunctionalTest) -> rules.Target:
    return rules.Target(test.target_kind, test.target_name)


def checklist(db: Session, engagement_id: int) -> Checklist:
    """The checklist as it stands: :class:`~.sow_desk.NotFound` for no such engagement."""
    record = pdr_desk.pdr_of(db, pdr_desk.engagement(db, engagement_id).id)
    current = record.revisions[-1] if record and record.revisions else None
    content = current.content if current else {}
    agreed = _agreed(db, engagement_id, content)
    tests = tests_of(db, engagement_id)
    results = [rules.Result(t.id, target_of(t), t.outcome, t.tested_on) for t in tests]
    items = rules.checklist(agreed, results)
    return Checklist(current, agreed, items, rules.testable(agreed, content), tests)


def testable_targets(db: Session, engagement_id: int) -> tuple[rules.Target, ...]:
    return checklist(db, engagement_id).testable


def _agreed(
    db: Session, engagement_id: int, content: dict[str, object]
) -> tuple[rules.Target, ...]:
    draft = pdr_desk.accepted_draft(db, engagement_id)
    if draft is None:
        return ()
    response = db.get(Response, draft.response_id)
    fields = draft.prefill.get("fields") or []
    return rules.agreed_targets(response.answers if response else {}, fields, content)
