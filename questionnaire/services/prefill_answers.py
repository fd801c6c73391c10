"""A new response pre-filled from the engagement's handover facts, and where the customer's
answers now differ from what sales entered.

What was pre-filled is kept in one audit event, ``response.prefill``, written in the
transaction that creates the response: its ``answers`` are the starting values by question id,
in their stored form, and its ``facts`` name the fact each came from. It is history, so no
later save changes it: comparing it with the current answers shows exactly what the customer
corrected, and the engagement page reads it with one query on the events' engagement index.
(The answers themselves hold only answers, so nothing else that reads them needs to know.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine import JSON, FlowResult, Questionnaire
from questionnaire.engine.answers import display
from questionnaire.engine.facts import FACTS
from questionnaire.engine.prefill import prefills, starting_answers
from questionnaire.store.models import AuditEvent, Engagement, Response

from . import audit

ACTION = "response.prefill"
#: The facts an engagement keeps in columns of its own; the others are in ``Engagement.facts``.
COLUMN_FACTS = ("customer", "project", "contact_name", "contact_email", "contact_phone")


def engagement_facts(engagement: Engagement) -> dict[str, JSON]:
    """The engagement's facts a question may start from, by the catalogue's names."""
    columns = {name: getattr(engagement, name) for name in COLUMN_FACTS}
    stored = {name: value for name, value in (engagement.facts or {}).items() if name in FACTS}
    return {**stored, **columns}


def starting_answers_for(engagement: Engagement, q: Questionnaire) -> dict[str, JSON]:
    """The answers a new response to ``q`` for ``engagement`` starts with."""
    return starting_answers(q, engagement_facts(engagement))


def record(db: Session, response: Response, q: Questionnaire, actor: str) -> None:
    """Record what the new ``response`` started with, if anything (the caller commits)."""
    answers = dict(response.answers)
    if not answers:
        return
    facts = {question.id: fact for question, fact in prefills(q) if question.id in answers}
    audit.record(
        db, actor, ACTION, engagement_id=response.engagement_id, response_id=response.id,
        answers=answers, facts=facts,
    )  # fmt: skip


def prefilled(db: Session, response: Response) -> dict[str, JSON]:
    """What ``response`` started with, by question id (empty when nothing was pre-filled)."""
    detail = db.scalar(
        select(AuditEvent.detail)
        .where(
            AuditEvent.engagement_id == response.engagement_id,
            AuditEvent.response_id == response.id,
            AuditEvent.action == ACTION,
        )
        .order_by(AuditEvent.id)
        .limit(1)
    )
    answers: Any = (detail or {}).get("answers")
    return dict(answers) if isinstance(answers, dict) else {}


@dataclass(frozen=True)
class Correction:
    """A pre-filled answer the customer changed: what sales entered, what the customer answered
    (``""``: they left it blank), as text."""

    question_id: str
    fact: str
    sales: str
    customer: str


def corrections(
    q: Questionnaire, flow: FlowResult, started_with: Mapping[str, JSON]
) -> list[Correction]:
    """Each pre-filled answer that now differs from its starting value, in question order."""
    found = []
    for question, fact in prefills(q):
        if question.id not in started_with:
            continue
        sales, now = started_with[question.id], flow.answers.get(question.id)
        if now == sales:
            continue
        label = FACTS[fact].label if fact in FACTS else fact
        shown = display(question, now) if now is not None else ""
        found.append(Correction(question.id, label, display(question, sales), shown))
    return found
