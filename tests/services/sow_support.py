"""Helpers for the SoW review tests: a drafted engagement, a send run through the worker, the
review token read from the email the customer got."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import acceptances, accounts, review_links, sow, sow_desk, submission
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Engagement, OutgoingEmail, PipelineStage, Role
from questionnaire.worker import Outcome, Worker
from tests.sent_mail import text_as_sent

from .factories import Factory

ENGINEER = "eve@example.com"
SALES = "sam@example.com"
CONTACT = ("Jo Customer", "jo@acme.example.com")
TOKEN_IN_LINK = re.compile(r"/s/([A-Za-z0-9_-]{43})/")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def drafted(make: Factory, db: Session, services: Context, database: Database) -> int:
    """A submitted engagement whose SoW revision 1 is pre-filled and exported; its id."""
    token = make.link(customer="Acme Health")
    response = make.response(token, through="last")
    submission.submit(db, services, make.opened(token), response.version)
    run(services, database)
    db.rollback()  # end this session's snapshot: see what the worker made
    eve = accounts.create_user(db, ENGINEER, "a long enough password", "Eve Engineer",
                               roles={Role.ENGINEER})  # fmt: skip
    engagement = db.get(Engagement, response.engagement_id)
    assert engagement is not None
    # Where the board has it once a lead assigned Eve and the questionnaire came back.
    engagement.engineer_id, engagement.pipeline_stage = eve.id, PipelineStage.STATEMENT_OF_WORK
    engagement.contact_name, engagement.contact_email = CONTACT
    engagement.created_by = SALES  # the sales account that handed it over
    db.commit()
    return engagement.id


def run(services: Context, database: Database) -> list[Outcome]:
    return Worker(services, database, isolate=False).run_pending()


def send(db: Session, engagement_id: int, number: int, to: tuple[str, str] = CONTACT) -> None:
    review_links.send(db, engagement_id, number, *to, ENGINEER)


def sent(
    db: Session, services: Context, database: Database, engagement_id: int, number: int
) -> str:
    """Send revision ``number``, let the worker make the link and email; the link's token."""
    send(db, engagement_id, number)
    run(services, database)
    db.rollback()
    return latest_token(db, services)


def latest_email(db: Session, template: str = "sow_sent") -> OutgoingEmail:
    email = db.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.template == template)
        .order_by(OutgoingEmail.id.desc())
    ).first()
    assert email is not None, "no SoW email was queued"
    return email


def latest_token(db: Session, services: Context, template: str = "sow_sent") -> str:
    """The token of the link in the latest email sending a document (the SoW's unless
    ``template`` names another's), as its recipient reads it."""
    text = text_as_sent(services, latest_email(db, template))
    match = TOKEN_IN_LINK.search(text)
    assert match, text
    return match.group(1)


def new_revision(
    db: Session, engagement_id: int, text: str = "# SoW\n\n## Scope\n\nMore.\n"
) -> int:
    _, draft = sow_desk.draft(db, engagement_id)
    latest = draft.revisions[-1].number
    return sow.save_revision(db, draft, text, ENGINEER, latest).number


def form(name: str = "Jo Customer", title: str = "Head of IT") -> acceptances.AcceptanceForm:
    return acceptances.AcceptanceForm(name, title, True)


VISITOR = acceptances.Visitor("203.0.113.7", BROWSER)
