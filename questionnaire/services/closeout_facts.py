"""What close-out knows of a completed engagement, read once for its documents and record.

The support handover document, the completion summary email and the machine-readable record
all say the same things (the days used, the sessions, the tests passed): they read them here.
Functional tests come from the customer handover's ``store/handover.py`` through
:func:`functional_tests`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine import FlowResult
from questionnaire.store.closeout import EngagementCompletion, SupportNotes
from questionnaire.store.delivery import ImplementationSession
from questionnaire.store.handover import FunctionalTest
from questionnaire.store.models import Engagement, Response, SowDraft, User

from . import implementation, pdr_desk
from .context import Context
from .sow_desk import engagement as engagement_of

Row = TypeVar("Row", SupportNotes, EngagementCompletion)


@dataclass(frozen=True)
class TestOutcome:
    """One functional test as recorded: what it tested and whether it passed."""

    target_kind: str
    target_name: str
    what_tested: str
    expected: str
    actual: str
    outcome: str
    tested_on: date | None

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"


@dataclass(frozen=True)
class Facts:
    engagement: Engagement
    engineer: str | None
    sales: User | None
    completion: EngagementCompletion | None
    sessions: list[ImplementationSession]
    pdr_revision: int | None
    pdr_content: dict[str, Any]
    tests: list[TestOutcome]
    notes: SupportNotes | None

    @property
    def days_sold(self) -> float | None:
        value = self.engagement.facts.get("ps_days_sold")
        return float(value) if isinstance(value, int | float) else None

    @property
    def days_used(self) -> float:
        return float(sum(s.days_used or 0 for s in self.sessions))

    @property
    def services_delivered(self) -> list[str]:
        """The virtual services (and GSLB names) of the PDR as built, by name."""
        names = []
        for key in ("virtual_services", "gslb"):
            rows = self.pdr_content.get(key)
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict) and str(row.get("name") or "").strip():
                    names.append(str(row["name"]).strip())
        return names

    @property
    def completed_at(self) -> datetime | None:
        return self.completion.completed_at if self.completion else None


def facts_of(db: Session, engagement_id: int) -> Facts:
    """Everything close-out says of the engagement. ``NotFound`` for no such engagement."""
    engagement = engagement_of(db, engagement_id)
    record = pdr_desk.pdr_of(db, engagement_id)
    latest = record.revisions[-1] if record and record.revisions else None
    return Facts(
        engagement=engagement,
        engineer=engagement.engineer.name if engagement.engineer else None,
        sales=db.scalars(select(User).where(User.email == engagement.created_by)).first(),
        completion=_one(db, EngagementCompletion, engagement_id),
        sessions=implementation.sessions(db, engagement_id),
        pdr_revision=latest.number if latest else None,
        pdr_content=dict(latest.content) if latest else {},
        tests=functional_tests(db, engagement_id),
        notes=_one(db, SupportNotes, engagement_id),
    )


def functional_tests(db: Session, engagement_id: int) -> list[TestOutcome]:
    """The engagement's functional tests (``store/handover.py``), oldest first; none when
    none were recorded."""
    rows = db.scalars(
        select(FunctionalTest)
        .where(FunctionalTest.engagement_id == engagement_id)
        .order_by(FunctionalTest.id)
    ).all()
    return [
        TestOutcome(row.target_kind, row.target_name, row.what_tested, row.expected, row.actual,
                    row.outcome, row.tested_on)
        for row in rows
    ]  # fmt: skip


def requirements(db: Session, context: Context, engagement_id: int) -> FlowResult | None:
    """The customer's original requirements: the answers of the pre-discovery questionnaire
    the SoW was made from (else the engagement's first response)."""
    response = (
        db.scalars(
            select(Response)
            .join(SowDraft, SowDraft.response_id == Response.id)
            .where(SowDraft.engagement_id == engagement_id)
            .order_by(SowDraft.id)
        ).first()
        or db.scalars(
            select(Response).where(Response.engagement_id == engagement_id).order_by(Response.id)
        ).first()
    )
    if response is None:
        return None
    questionnaire = context.definitions.by_hash(db, response.definition_sha256)
    return context.flows.flow_of(questionnaire, response)


def _one(db: Session, model: type[Row], engagement_id: int) -> Row | None:
    return db.scalars(select(model).where(model.engagement_id == engagement_id)).first()
