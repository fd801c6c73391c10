"""The validation questionnaire: sent from the engagement once it has a PDR, its services taken
from the PDR's latest revision once, when the customer starts; its submission notifies the
engineer (and pre-fills no SoW), and the engineer reads the answers per service."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.delivery.pdr_spec import VIRTUAL_SERVICES
from questionnaire.engine import submit_record
from questionnaire.engine.record_sources import RECORD_SOURCES
from questionnaire.services import (
    invitations,
    journey,
    pdr_desk,
    prefill_answers,
    responses,
    submission,
    validation_desk,
)
from questionnaire.services.context import Context
from questionnaire.services.invitation_state import panel
from questionnaire.services.validation_ids import VIRTUAL_SERVICES_SOURCE
from questionnaire.services.validation_records import virtual_services
from questionnaire.store.db import Database
from questionnaire.store.models import Job, OutgoingEmail
from tests.conftest import app_config

from .test_invitations import emails, make_reminders_due, run, token_in
from .validation_support import (
    HEADINGS,
    PACS,
    WEB,
    definitions_with_validation,
    handed_over,
    with_pdr,
)

SENDER = "eve@example.com"
FORM = invitations.SendForm("Jo Bloggs", "jo@acme.example", "validation", "14", True)
ANSWERED = {"works": "yes", "failover": "not_tested", "missing": "no"}


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Context:
    folder = definitions_with_validation(tmp_path / "definitions")
    return Context.from_config(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))


def started(db: Session, services: Context, token: str) -> journey.OpenLink:
    opened = journey.open_link(db, services, token)
    journey.start(db, services, opened)
    assert opened.response is not None
    return opened


def sent_token(db: Session, services: Context, engagement_id: int) -> str:
    sent = invitations.send_questionnaire(db, services, engagement_id, FORM, SENDER)
    email = db.get(OutgoingEmail, sent.email_id)
    assert email is not None and email.template == "validation_invite"
    return token_in(services, email)


def test_the_source_fields_are_columns_of_the_pdrs_virtual_services() -> None:
    for name in RECORD_SOURCES[VIRTUAL_SERVICES_SOURCE].fields:
        assert VIRTUAL_SERVICES.column(name) is not None, name


def test_virtual_services_read_as_the_pdr_shows_them() -> None:
    content = {"virtual_services": [WEB, {"name": "Bare"}, "not a row"]}
    assert virtual_services(content) == [
        {"name": "Web servers", "vip": "10.0.0.10", "ports": "443", "protocol": "HTTPS"},
        {"name": "Bare"},
    ]


def test_sending_is_refused_until_the_engagement_has_a_pdr(db: Session, services: Context) -> None:
    engagement = handed_over(db)
    with pytest.raises(invitations.InvalidSend) as refused:
        invitations.send_questionnaire(db, services, engagement.id, FORM, SENDER)
    assert (
        "this engagement has no PDR yet: make the PDR first" in refused.value.errors["definition"]
    )
    assert db.scalars(select(OutgoingEmail)).all() == []


def test_the_services_are_taken_from_the_pdr_once_when_the_customer_starts(
    db: Session, services: Context
) -> None:
    engagement = handed_over(db)
    with_pdr(db, engagement.id, WEB, PACS)
    token = sent_token(db, services, engagement.id)
    opened = started(db, services, token)
    assert opened.response is not None
    stored = opened.response.answers["services"]
    assert [r["name"] for r in stored] == ["Web servers", "PACS"]
    assert prefill_answers.prefilled(db, opened.response)["services"] == stored
    # A later PDR revision does not reshuffle the half-answered questionnaire.
    pdr_desk.save_row(db, engagement.id, "virtual_services.0", {"name": "Renamed"}, 1, SENDER)
    again = journey.open_link(db, services, token)
    flow = journey.flow_of(services, again)
    assert list(flow.pages["services"].questions[0].headings) == HEADINGS


def test_a_submission_notifies_the_engineer_and_prefills_no_sow(
    db: Session, services: Context, database: Database
) -> None:
    engagement = handed_over(db)
    with_pdr(db, engagement.id, WEB)
    opened = started(db, services, sent_token(db, services, engagement.id))
    response = opened.response
    assert response is not None
    answered = submit_record(opened.questionnaire, response.answers, "services", 0, ANSWERED)
    answers = {**answered.answers, "tested_by": "Alex Morgan"}
    responses.save_answers(
        db, services.settings, response, response.version, answers, [], "t", "save"
    )
    outcome = submission.submit(
        db, services, journey.open_link(db, services, opened.token), response.version
    )
    assert isinstance(outcome, journey.Go) and outcome.submitted_now
    templates = db.scalars(select(OutgoingEmail.template).order_by(OutgoingEmail.id)).all()
    assert templates[-2:] == ["validation_received", "validation_submitted"]
    assert db.scalars(select(Job.kind).where(Job.kind.like("sow%"))).all() == []
    page = validation_desk.answers_page(db, services, engagement.id)
    assert page.submitted
    [service] = page.services
    assert service.heading == HEADINGS[0]
    assert [(a.question, a.answer) for a in service.answers] == [
        ("Does Web servers work from your clients' side?", "Yes"),
        ("Did you observe a failover of Web servers?", "We did not test it"),
        ("Is anything missing from Web servers?", "No"),
    ]
    assert ("Who in your team tested the services?", "Alex Morgan") in [
        (a.question, a.answer) for a in page.overall
    ]


def test_the_validation_panel_is_apart_from_the_questionnaires(
    db: Session, services: Context
) -> None:
    engagement = handed_over(db)
    with_pdr(db, engagement.id, WEB)
    sent_token(db, services, engagement.id)
    main, validation = (
        panel(db, services, engagement),
        panel(db, services, engagement, "validation"),
    )
    assert (main.definitions, main.last) == (["small"], None)
    assert validation.definitions == ["validation"] and validation.last is not None
    section = validation_desk.section(db, services, engagement)
    assert section.has_pdr and section.status is None
    other = dataclasses.replace(FORM, definition="small")
    invitations.send_questionnaire(db, services, engagement.id, other, SENDER)
    assert panel(db, services, engagement).last is not None


def test_its_reminder_speaks_of_the_services(
    db: Session, services: Context, database: Database
) -> None:
    engagement = handed_over(db)
    with_pdr(db, engagement.id, WEB)
    sent_token(db, services, engagement.id)
    make_reminders_due(database)
    run(services, database)
    [reminder] = emails(database, "validation_reminder")
    assert reminder.subject == "Reminder: Check that your load-balanced services work: Acme Health"
    assert "check that each of your load-balanced services for Acme Health works" in (
        reminder.text_body
    )
