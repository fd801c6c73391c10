"""What the engineer sees of the validation questionnaire: the engagement page's section
(whether it can be sent, its last sending, the customer's progress) and the answers per
virtual service.

The answers are read as the customer gave them: per service, its summary line (from the PDR, as
the customer saw it) and each question shown with its answer, then the questions about the work
as a whole. The acceptance document reads the same submitted response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine import JSON, FlowResult, Questionnaire
from questionnaire.engine.answers import display
from questionnaire.engine.given import is_given
from questionnaire.engine.model import Question
from questionnaire.store.models import Engagement, Response, ResponseStatus

from .context import Context
from .invitation_state import SendPanel, panel
from .sow_desk import NotFound
from .validation_ids import VALIDATION
from .validation_records import latest_revision


@dataclass(frozen=True)
class ValidationSection:
    """The engagement page's "Validation by the customer" section."""

    has_pdr: bool
    #: The send form's starting values and the last sending (``None``: the definition is not
    #: loaded).
    sending: SendPanel | None
    #: The customer's response: ``None`` until they start.
    status: ResponseStatus | None
    submitted_at: datetime | None


def section(db: Session, context: Context, engagement: Engagement) -> ValidationSection:
    response = response_of(db, engagement.id)
    loaded = VALIDATION in context.definitions.current
    return ValidationSection(
        has_pdr=latest_revision(db, engagement.id) is not None,
        sending=panel(db, context, engagement, VALIDATION) if loaded else None,
        status=response.status if response else None,
        submitted_at=response.submitted_at if response else None,
    )


def response_of(db: Session, engagement_id: int) -> Response | None:
    """The engagement's response to the validation questionnaire (one per engagement)."""
    return db.scalars(
        select(Response).where(
            Response.engagement_id == engagement_id, Response.definition_id == VALIDATION
        )
    ).first()


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


@dataclass(frozen=True)
class ServiceAnswers:
    """One virtual service: its summary line and the questions asked about it, answered."""

    heading: str
    answers: list[Answer]


@dataclass(frozen=True)
class ValidationAnswers:
    engagement: Engagement
    response: Response | None
    services: list[ServiceAnswers]
    overall: list[Answer]

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.status is ResponseStatus.SUBMITTED


def answers_page(db: Session, context: Context, engagement_id: int) -> ValidationAnswers:
    engagement = db.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    response = response_of(db, engagement_id)
    if response is None:
        return ValidationAnswers(engagement, None, [], [])
    q = context.definitions.by_hash(db, response.definition_sha256)
    services, overall = per_service(q, context.flows.flow_of(q, response))
    return ValidationAnswers(engagement, response, services, overall)


def per_service(q: Questionnaire, flow: FlowResult) -> tuple[list[ServiceAnswers], list[Answer]]:
    """The answers about each given record, and those to the other questions, in page order."""
    services: list[ServiceAnswers] = []
    overall: list[Answer] = []
    for page in flow.path:
        for shown in flow.pages[page].questions:
            if is_given(shown.question):
                for heading, record in zip(shown.headings, shown.records, strict=True):
                    rows = [Answer(f.label, _text(f.question, f.value)) for f in record]
                    services.append(ServiceAnswers(heading, rows))
            else:
                overall.append(Answer(shown.label, _text(shown.question, shown.value)))
    return services, overall


def _text(question: Question, value: JSON) -> str:
    return "Not answered" if value is None else display(question, value)
