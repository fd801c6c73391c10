"""Helpers for the booking pages' tests: an engineer and an engagement with a contact, a link
sent from the engagement page, its token read from the email as the customer gets it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from questionnaire.services import booking_links, links, mail
from questionnaire.store import db
from questionnaire.store.models import Engagement, OutgoingEmail

from .customer import csrf_token
from .engineer import log_in, make_engineer

ENGINEER = "eng@example.com"
CONTACT = ("Jo Customer", "jo@acme.example.com")
TOKEN = re.compile(r"/b/([A-Za-z0-9_-]{43})/")


def engagement(app: Flask, customer: str = "Acme Health") -> int:
    with app.app_context():
        session = db.session()
        found = links.create_engagement(session, customer, "test")
        found.contact_name, found.contact_email = CONTACT
        session.commit()
        return found.id


def engineer_client(app: Flask) -> FlaskClient:
    make_engineer(app, ENGINEER)
    return log_in(app, ENGINEER)


def send_from_page(
    client: FlaskClient, engagement_id: int, kind: str = "discovery_call", **changes: str
) -> object:
    page = client.get(f"/e/engagements/{engagement_id}")
    fields = {"kind": kind, "expires_days": "14", "contact_name": CONTACT[0],
              "contact_email": CONTACT[1], **changes}  # fmt: skip
    data = {"csrf_token": csrf_token(page.text)}
    data.update({f"booking_{name}": value for name, value in fields.items()})
    return client.post(f"/e/engagements/{engagement_id}/booking", data=data)


def latest_token(app: Flask) -> str:
    """The token of the latest booking link's email, as the customer receives it."""
    with app.app_context():
        email = (
            db.session()
            .scalars(
                select(OutgoingEmail)
                .where(OutgoingEmail.template == booking_links.LINK_TEMPLATE)
                .order_by(OutgoingEmail.id.desc())
            )
            .first()
        )
        assert email is not None
        match = TOKEN.search(mail.sealed_values(app.extensions["services"], email)["link"])
        assert match
        return match.group(1)


def linked(app: Flask, customer: str = "Acme Health") -> str:
    """A booking link sent to a new engagement's contact by the engineer; its token."""
    client = engineer_client(app) if not _has_engineer(app) else log_in(app, ENGINEER)
    result = send_from_page(client, engagement(app, customer))
    assert getattr(result, "status_code", None) == 303
    return latest_token(app)


def _has_engineer(app: Flask) -> bool:
    from questionnaire.store.models import User

    with app.app_context():
        return db.session().scalar(select(User.id).where(User.email == ENGINEER)) is not None


def first_slot(client: FlaskClient, token: str, zone: str = "America/New_York") -> str:
    page = client.get(f"/b/{token}/?zone={zone}")
    match = re.search(r'name="slot" type="radio" value="([^"]+)"', page.text)
    assert match, "no free slot on the page"
    return match.group(1)


def book(client: FlaskClient, token: str, slot: str, zone: str = "America/New_York",
         **changes: str) -> object:  # fmt: skip
    page = client.get(f"/b/{token}/confirm?slot={slot}&zone={zone}")
    data = {"csrf_token": csrf_token(page.text), "slot": slot, "zone": zone,
            "name": CONTACT[0], "email": CONTACT[1], **changes}  # fmt: skip
    return client.post(f"/b/{token}/confirm", data=data)


def engagement_of(app: Flask, engagement_id: int) -> Engagement:
    with app.app_context():
        found = db.session().get(Engagement, engagement_id)
        assert found is not None
        return found
