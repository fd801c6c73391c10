"""The customer handover document: issued from the PDR as it stands and the functional tests.

It cannot be issued while an agreed virtual service or GSLB configuration has no passing test:
the refusal names each one (the checklist's missing targets). Issues are numbered per engagement
under the engagement's lock, so two engineers issuing at once get numbers N and N+1, never both
N (and ``(engagement_id, number)`` is unique, should anything get past the lock). An issued
document keeps its Markdown; its formats are rendered by the worker. Each use case commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.delivery.handover_checklist import Target
from questionnaire.delivery.handover_doc import Issue, Recorded, to_markdown
from questionnaire.store.handover import FunctionalTest, HandoverDocument
from questionnaire.store.models import Engagement, utcnow

from . import audit, handover_exports, handover_targets, links
from .exports import NotReady
from .sow_desk import NotFound, engagement

ISSUE_ACTION = "handover.issue"


class NoPdr(Exception):
    """The document is built from the PDR, and this engagement has none yet."""


class TestsMissing(Exception):
    """Agreed targets without a passing test: ``missing``, in the checklist's order."""

    def __init__(self, missing: tuple[Target, ...]) -> None:
        names = ", ".join(target.label for target in missing)
        super().__init__(f"The document cannot be issued until these have a passing test: {names}.")
        self.missing = missing


class IssuedMeanwhile(Exception):
    """Another issue took the number at the same moment (only where the lock is not a row lock)."""


@dataclass(frozen=True)
class Desk:
    """The functional tests page: the engagement, its checklist, the issued documents."""

    engagement: Engagement
    checklist: handover_targets.Checklist
    documents: list[HandoverDocument]
    exports: dict[int, dict[str, NotReady | None]]


def desk(db: Session, engagement_id: int) -> Desk:
    found = engagement(db, engagement_id)
    documents = documents_of(db, engagement_id)
    exports = handover_exports.states(db, [d.id for d in documents])
    return Desk(found, handover_targets.checklist(db, engagement_id), documents, exports)


def documents_of(db: Session, engagement_id: int) -> list[HandoverDocument]:
    """The engagement's issued documents, newest first."""
    statement = (
        select(HandoverDocument)
        .where(HandoverDocument.engagement_id == engagement_id)
        .order_by(HandoverDocument.number.desc())
    )
    return list(db.scalars(statement).all())


def document(db: Session, engagement_id: int, number: int) -> HandoverDocument:
    found = db.scalars(
        select(HandoverDocument).where(
            HandoverDocument.engagement_id == engagement_id, HandoverDocument.number == number
        )
    ).first()
    if found is None:
        raise NotFound("There is no such customer handover document.")
    return found


def issue(db: Session, engagement_id: int, actor: str) -> HandoverDocument:
    """Issue the next document; commits. :class:`NoPdr`, :class:`TestsMissing`."""
    locked = links.lock_engagement(db, engagement(db, engagement_id).id)
    state = handover_targets.checklist(db, engagement_id)
    if state.current is None:
        db.rollback()
        raise NoPdr("Make the Project Detail Record first: the document is built from it.")
    if state.missing:
        db.rollback()
        raise TestsMissing(state.missing)
    number = 1 + (db.scalar(select(func.max(HandoverDocument.number))
                            .where(HandoverDocument.engagement_id == engagement_id)) or 0)  # fmt: skip
    title = handover_exports.title_of(locked.customer, locked.project)
    about = Issue(title, number, state.current.number, utcnow().date())
    recorded = [_recorded(test) for test in state.tests]
    markdown = to_markdown(about, state.current.content, state.agreed, recorded)
    issued = HandoverDocument(engagement_id=engagement_id, number=number, markdown=markdown,
                              pdr_revision=state.current.number, issued_by=actor)  # fmt: skip
    try:
        with db.begin_nested():
            db.add(issued)
    except IntegrityError:
        db.rollback()
        raise IssuedMeanwhile from None
    audit.record(db, actor, ISSUE_ACTION, engagement_id=engagement_id, number=number,
                 pdr_revision=state.current.number, tests=len(recorded))  # fmt: skip
    handover_exports.queue_all(db, issued)
    db.commit()
    return issued


def _recorded(test: FunctionalTest) -> Recorded:
    evidence = test.evidence.original_name if test.evidence is not None else None
    return Recorded(handover_targets.target_of(test), test.what_tested, test.expected,
                    test.actual, test.outcome, test.tested_on, evidence)  # fmt: skip
