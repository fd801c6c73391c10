"""Helpers for the SoW review's web tests: an engagement with a pre-filled SoW, the engineer
who sends it from the SoW page, and the review token from the email the customer got."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import Engagement, OutgoingEmail, PipelineStage, Role
from tests.sent_mail import text_as_sent

from .customer import Customer, csrf_token, invite
from .engineer import PASSWORD, log_in
from .state import run_jobs

ENGINEER = "eve@example.com"
SALES = "sam@example.com"
CONTACT = ("Jo Customer", "jo@acme.example.com")
TOKEN_IN_LINK = re.compile(r"/s/([A-Za-z0-9_-]{43})/")
SOW = "/e/engagements/1/sow"


def drafted(app: Flask, customer: str = "Acme Health") -> FlaskClient:
    """Engagement 1, submitted, its SoW pre-filled and exported, assigned to Eve, who is
    signed in: her client."""
    visitor = Customer(app.test_client(), invite(app, customer=customer))
    visitor.complete_small()
    assert visitor.submit().status_code == 302
    run_jobs(app)
    with app.app_context():
        session = db.session()
        eve = accounts.create_user(session, ENGINEER, PASSWORD, "Eve Engineer",
                                   roles={Role.ENGINEER})  # fmt: skip
        session.execute(
            update(Engagement).values(
                contact_name=CONTACT[0], contact_email=CONTACT[1], engineer_id=eve.id,
                pipeline_stage=PipelineStage.STATEMENT_OF_WORK, created_by=SALES,
            )
        )  # fmt: skip
        session.commit()
    return log_in(app, ENGINEER)


def post_send(engineer: FlaskClient, number: int = 1, **fields: str) -> Any:
    page = engineer.get(SOW)
    data = {"csrf_token": csrf_token(page.text), "to_name": CONTACT[0], "to_address": CONTACT[1]}
    return engineer.post(f"{SOW}/revisions/{number}/send", data={**data, **fields})


def save_revision(engineer: FlaskClient, markdown: str) -> int:
    page = engineer.get(SOW)
    number = int(re.findall(r'name="edited_from" value="(\d+)"', page.text)[0])
    saved = engineer.post(SOW, data={"csrf_token": csrf_token(page.text), "markdown": markdown,
                                     "edited_from": str(number)})  # fmt: skip
    assert saved.status_code == 302, saved.text
    return number + 1


def sent(app: Flask, engineer: FlaskClient, number: int = 1) -> str:
    """Send revision ``number`` from the SoW page, run the worker: the customer's token."""
    assert post_send(engineer, number).status_code == 302
    run_jobs(app)
    return latest_token(app)


def latest_token(app: Flask, template: str = "sow_sent") -> str:
    with app.app_context():
        email = (
            db.session()
            .scalars(
                select(OutgoingEmail)
                .where(OutgoingEmail.template == template)
                .order_by(OutgoingEmail.id.desc())
            )
            .first()
        )
        assert email is not None
        match = TOKEN_IN_LINK.search(text_as_sent(app.extensions["services"], email))
        assert match
        return match.group(1)


def accept(client: FlaskClient, token: str, **fields: str) -> Any:
    page = client.get(f"/s/{token}/accept")
    data = {"csrf_token": csrf_token(page.text), "full_name": "Jo Customer",
            "job_title": "Head of IT", "authorised": "yes"}  # fmt: skip
    return client.post(f"/s/{token}/accept", data={**data, **fields})


def ask_for_changes(client: FlaskClient, token: str, **fields: str) -> Any:
    page = client.get(f"/s/{token}/changes")
    return client.post(f"/s/{token}/changes", data={"csrf_token": csrf_token(page.text), **fields})
