"""What the questionnaire's emails say and to whom: shared by the invitation, its reminder and
the notices of a submission.

Dates are written for people ("Friday 3 April 2026"), in UTC, the app's one time zone. The
person the customer is told to contact is the engineer assigned to the engagement, else the
person who sent the questionnaire, else the services team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine import Questionnaire
from questionnaire.store.models import Engagement, Link, OutgoingEmail, User

from . import links, mail
from .context import Context
from .settings import Settings
from .validation_ids import VALIDATION

INVITE, REMINDER = "questionnaire_invite", "questionnaire_reminder"
RECEIVED, SUBMITTED = "questionnaire_received", "questionnaire_submitted"


@dataclass(frozen=True)
class QuestionnaireEmails:
    """The templates of one questionnaire's emails: each questionnaire says what it is for."""

    invite: str
    reminder: str
    received: str
    submitted: str


DISCOVERY_EMAILS = QuestionnaireEmails(INVITE, REMINDER, RECEIVED, SUBMITTED)
#: The questionnaires with emails of their own, by definition id (any other sends the
#: discovery questionnaire's).
EMAILS = {
    VALIDATION: QuestionnaireEmails(
        "validation_invite", "validation_reminder", "validation_received", "validation_submitted"
    ),
}


def emails_for(definition_id: str) -> QuestionnaireEmails:
    return EMAILS.get(definition_id, DISCOVERY_EMAILS)


#: The history's name for sending the questionnaire (its detail names the link and the email).
SENT_ACTION = "questionnaire.send"
#: A link in an email's text: the one-time token between ``/r/`` and ``/``.
_LINK_TOKEN = re.compile(r"/r/([A-Za-z0-9_-]{43})/")


def day_in_words(moment: datetime) -> str:
    """``Friday 3 April 2026`` (UTC)."""
    return moment.astimezone(UTC).strftime("%A %-d %B %Y")


def moment_in_words(moment: datetime) -> str:
    """``23:59 UTC on Friday 3 April 2026``: when a link stops working."""
    return f"{moment.astimezone(UTC):%H:%M} UTC on {day_in_words(moment)}"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def contact_for(db: Session, settings: Settings, engagement: Engagement, sender: str) -> Person:
    """Whom the customer should contact: the assigned engineer, else the account that sent
    the questionnaire (``sender``), else the services team's address."""
    if engagement.engineer_id is not None:
        engineer = db.get(User, engagement.engineer_id)
        if engineer is not None and engineer.active:
            return Person(engineer.name, engineer.email)
    account = db.scalar(select(User).where(User.email == sender))
    if account is not None:
        return Person(account.name, account.email)
    if "@" in sender:
        return Person(sender, sender)
    return Person("our services team", settings.contact_email)


def recipient_in_words(email: OutgoingEmail) -> str:
    """``Jo Bloggs (jo@acme.example)``: to whom an email went (its first recipient)."""
    recipient = email.recipients[0]
    name, address = recipient["name"], recipient["address"]
    return f"{name} ({address})" if name else address


def questionnaire_values(q: Questionnaire) -> dict[str, Any]:
    """What the definition says about itself: its title, the time it takes, what to have ready."""
    definition = q.definition
    return {
        "questionnaire_title": definition.title,
        "estimated_minutes": definition.estimated_minutes,
        "have_at_hand": list(definition.have_at_hand) or None,
    }


def link_sent_in(context: Context, email: OutgoingEmail, link: Link) -> str | None:
    """The link's URL as the invitation ``email`` carried it, if it still does.

    Only a hash of a token is kept, so the reminder cannot make the link again: the
    invitation's sealed values (``mail_sealed``) are the only place it is written, and the
    reminder reads it from there rather than keep a second copy. The hash proves it is this
    link's token; the URL is built again from the configured base URL.
    """
    url = mail.sealed_values(context, email).get("link", "")
    found = _LINK_TOKEN.search(url)
    if found is None or links.token_hash(found.group(1)) != link.token_hash:
        return None
    return links.link_url(context.settings.base_url, found.group(1))
