"""A response to the pre-discovery questionnaire starts from the sales handover's facts; the
customer's corrections are kept as answers, and the engineer's page shows where they differ."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.facts import FACTS, PRIVATE_FACTS
from questionnaire.engine.model import (
    DateQuestion,
    DecimalQuestion,
    SimpleTypedQuestion,
    TextQuestion,
)
from questionnaire.engine.prefill import starting_answers
from questionnaire.services import engagement_desk, handover, journey, links, responses, sow
from questionnaire.services.context import Context
from questionnaire.services.prefill_answers import Correction, engagement_facts, prefilled
from questionnaire.store.models import AuditEvent, Engagement, Response
from tests.conftest import ROOT, app_config

from .factories import Factory
from .test_handover import FORM, SALES

#: What the form in test_handover.py puts on "Check the details of your purchase".
PREFILLED = {
    "project": "PACS load balancing",
    "ps_days_sold": 2.5,
    "contract_date": "2026-03-14",
    "purchase_order": "PO-1234",
    "quote_number": "Q-5678",
    "services_lead": "Alex Lead",
    "organisation": "Acme Health",
    "contact_name": "Jo Bloggs",
    "contact_email": "jo@acme.example",
    "contact_phone": "+442079460958",
}

MODELS: dict[str, Any] = {"text": TextQuestion, "decimal": DecimalQuestion, "date": DateQuestion}


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Context:
    """The shipped definitions (pre_discovery), not the web tests' small one."""
    config = app_config(database_url, tmp_path, DEFINITIONS_DIR=str(ROOT / "definitions"))
    return Context.from_config(config)


def handed_over(db: Session, services: Context, form: handover.Handover = FORM) -> str:
    """A handed-over engagement's questionnaire link token."""
    engagement = handover.hand_over(db, services, form, SALES)
    _, token = links.issue_link(db, engagement.id, "pre_discovery", timedelta(days=14), SALES)
    db.commit()
    return token


def started(db: Session, services: Context, token: str) -> journey.OpenLink:
    opened = journey.open_link(db, services, token)
    journey.start(db, services, opened)
    assert opened.response is not None
    return opened


def save_commercial(
    db: Session, services: Context, token: str, **typed: str
) -> journey.Go | journey.PageProblems:
    """Post the first page as the customer's browser would: every field, as shown or changed."""
    opened = journey.open_link(db, services, token)
    assert opened.response is not None
    shown = {"project": "PACS load balancing", "ps_days_sold": "2.5", "contract_date": "2026-03-14",
             "purchase_order": "PO-1234", "quote_number": "Q-5678", "services_lead": "Alex Lead",
             "commercial_confirmed": "yes"}  # fmt: skip
    posted = journey.PostedPage(opened.response.version, {**shown, **typed})
    return journey.answer_page(db, services, opened, "commercial", posted)


def test_the_catalogue_names_every_handover_field_but_the_notes_with_its_parser() -> None:
    parsed_as = {handover.FACT_NAMES[name]: f.question.type for name, f in handover.FIELDS.items()}
    assert parsed_as.keys() - PRIVATE_FACTS == FACTS.keys()
    assert {name: fact.types[0] for name, fact in FACTS.items()} == {
        name: kind for name, kind in parsed_as.items() if name in FACTS
    }


def test_every_fact_of_a_handover_is_read_back_and_parses_for_a_question_of_its_type(
    db: Session, services: Context
) -> None:
    engagement = handover.hand_over(db, services, FORM, SALES)
    facts = engagement_facts(engagement)
    assert set(facts) == set(FACTS)  # the notes are never offered to a questionnaire
    assert FORM.notes not in facts.values()
    for name, value in facts.items():
        kind = FACTS[name].types[0]
        model = MODELS.get(kind, SimpleTypedQuestion)(id="q", label="Q", type=kind)
        parsed = parse_answer(model, value)
        assert parsed is not None and not isinstance(parsed, Invalid), name


def test_start_prefills_the_answers_from_the_handover_and_records_them(
    db: Session, services: Context
) -> None:
    opened = started(db, services, handed_over(db, services))
    assert opened.response is not None
    assert opened.response.answers == PREFILLED
    assert prefilled(db, opened.response) == PREFILLED
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "response.prefill")).one()
    assert event.detail["facts"]["organisation"] == "customer"
    assert event.detail["facts"]["ps_days_sold"] == "ps_days_sold"
    page = journey.show_page(services, opened, "commercial")
    assert isinstance(page, journey.PageView)
    assert {q.id: q.value for q in page.state.questions}["ps_days_sold"] == 2.5


def test_nothing_differs_until_the_customer_changes_an_answer(
    db: Session, services: Context
) -> None:
    token = handed_over(db, services)
    opened = started(db, services, token)
    desk = engagement_desk.engagement_page(db, services, opened.engagement.id)
    assert desk.answers is not None and desk.answers.corrections == []
    assert isinstance(save_commercial(db, services, token), journey.Go)  # saved as shown
    desk = engagement_desk.engagement_page(db, services, opened.engagement.id)
    assert desk.answers is not None and desk.answers.corrections == []


def test_the_customers_corrections_are_kept_and_shown_beside_what_sales_entered(
    db: Session, services: Context
) -> None:
    token = handed_over(db, services)
    opened = started(db, services, token)
    outcome = save_commercial(db, services, token, ps_days_sold="3", purchase_order="")
    assert isinstance(outcome, journey.Go) and outcome.page == "organisation"
    db.expire_all()
    response = db.get(Response, opened.response.id if opened.response else 0)
    assert response is not None
    assert response.answers["ps_days_sold"] == 3.0
    assert "purchase_order" not in response.answers or response.answers["purchase_order"] is None
    desk = engagement_desk.engagement_page(db, services, opened.engagement.id)
    assert desk.answers is not None
    assert desk.answers.corrections == [
        Correction("ps_days_sold", "PS days sold", "2.5", "3"),
        Correction("purchase_order", "Purchase order", "PO-1234", ""),
    ]
    # The SoW still takes the facts sales recorded (the engineer decides), the answers beside.
    assert sow.facts_of(desk.engagement)["ps_days_sold"] == 2.5


def test_a_response_that_exists_is_not_touched(db: Session, services: Context) -> None:
    token = handed_over(db, services)
    opened = started(db, services, token)
    save_commercial(db, services, token, quote_number="Q-9999")
    engagement = db.get(Engagement, opened.engagement.id)
    assert engagement is not None
    engagement.facts = {**engagement.facts, "quote_number": "Q-0000"}
    db.commit()
    again = journey.open_link(db, services, token)
    journey.start(db, services, again)
    assert (
        responses.start(db, services.definitions, again.link, again.questionnaire, "t") is not None
    )
    db.expire_all()
    (response,) = db.scalars(select(Response)).all()
    assert response.answers["quote_number"] == "Q-9999"
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "response.prefill")).all()
    assert len(events) == 1


def test_missing_facts_leave_their_questions_blank(db: Session, make: Factory) -> None:
    invitation = links.invite(db, "Acme Health", "pre_discovery", timedelta(days=14), "t")
    opened = started(db, make.context, invitation.token)
    assert opened.response is not None
    assert opened.response.answers == {"organisation": "Acme Health"}


def test_facts_an_engineer_typed_that_do_not_fit_are_skipped_not_a_500(
    db: Session, services: Context
) -> None:
    engagement = handover.hand_over(db, services, FORM, SALES)
    engagement_desk.save_facts(
        db, engagement.id,
        {"ps_days_sold": "two and a half", "contract_date": "14/03/2026", "quote_number": "Q-1"},
        "PACS", SALES,
    )  # fmt: skip
    _, token = links.issue_link(db, engagement.id, "pre_discovery", timedelta(days=14), SALES)
    db.commit()
    opened = started(db, services, token)
    assert opened.response is not None
    answers = opened.response.answers
    assert answers["quote_number"] == "Q-1" and answers["project"] == "PACS"
    assert "ps_days_sold" not in answers and "contract_date" not in answers


def test_the_engine_and_the_service_agree_on_the_facts_read(db: Session, services: Context) -> None:
    engagement = handover.hand_over(db, services, dataclasses.replace(FORM, project=""), SALES)
    q = services.definitions.current["pre_discovery"]
    answers = starting_answers(q, engagement_facts(engagement))
    assert "project" not in answers and answers["organisation"] == "Acme Health"
