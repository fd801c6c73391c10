"""Sending the questionnaire by email from the engagement, and its reminder switch.

:func:`send_questionnaire` does it in one transaction: a new link (any open one ends, as a
re-issue does), the contact's address as the engineer corrected it, the invitation email to the
contact (the link, what to have at hand, the time it takes, until when it works, whom to
contact) and its reminder (``reminders.py``). All of it commits, or none of it does.

The link is in the database only as its hash, and in the outbox's copy of the invitation: the
message as it is sent (and sent again, byte for byte, if a delivery is retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import SimpleTypedQuestion, TextQuestion
from questionnaire.store.models import Engagement, Response, ResponseStatus, utcnow

from . import audit, links, mail, reminders
from .context import Context
from .invitation_values import (
    SENT_ACTION,
    contact_for,
    emails_for,
    moment_in_words,
    questionnaire_values,
    recipient_in_words,
)
from .sow_desk import NotFound
from .validation_ids import VALIDATION
from .validation_records import latest_revision

MIN_DAYS, MAX_DAYS = 1, 90
#: A link works until the end of its last day (UTC), so "until Friday 3 April" is true all day.
LAST_MOMENT = time(23, 59, 59, tzinfo=UTC)
_EMAIL = SimpleTypedQuestion(id="contact_email", label="email", type="email")
_NAME = TextQuestion(id="contact_name", label="name", type="text", max_length=200)


@dataclass(frozen=True)
class SendForm:
    """The "Send the questionnaire" form as posted (every value as typed)."""

    contact_name: str = ""
    contact_email: str = ""
    definition: str = ""
    expires_days: str = ""
    #: The reminder switch as ticked; ``None`` when the form did not offer it (left as it is).
    reminders: bool | None = True


class InvalidSend(ValueError):
    """The form has errors: ``errors`` maps each field to its message, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    contact_name: str | None
    contact_email: str
    definition: str
    days: int


def check(db: Session, context: Context, engagement: Engagement, form: SendForm) -> Checked:
    """The form's values, or :class:`InvalidSend` with a message for each field that is wrong."""
    errors: dict[str, str] = {}
    name = parse_answer(_NAME, form.contact_name)
    if isinstance(name, Invalid):
        errors["contact_name"] = name.message
    address = parse_answer(_EMAIL, form.contact_email)
    if address is None:
        address = Invalid(
            "Enter the email address to send the questionnaire to"
            if engagement.contact_email
            else "This engagement has no contact's email address from the handover: enter "
            "the address to send the questionnaire to"
        )
    if isinstance(address, Invalid):
        errors["contact_email"] = address.message
    if form.definition not in context.definitions.current:
        errors["definition"] = "Select the questionnaire to send"
    elif form.definition == VALIDATION and latest_revision(db, engagement.id) is None:
        errors["definition"] = (
            "The validation questionnaire asks the customer about the virtual services of the "
            "Project Detail Record, and this engagement has no PDR yet: make the PDR first"
        )
    elif submitted_at(db, engagement.id, form.definition) is not None:
        errors["definition"] = (
            "The customer has already submitted this questionnaire: there is nothing to send"
        )
    days = link_days(form.expires_days)
    if isinstance(days, Invalid):
        errors["expires_days"] = days.message
    if errors:
        raise InvalidSend(errors)
    assert isinstance(address, str) and isinstance(days, int)
    return Checked(name if isinstance(name, str) else None, address, form.definition, days)


def submitted_at(db: Session, engagement_id: int, definition: str) -> datetime | None:
    """When the engagement's response to ``definition`` was submitted (``None``: it is not)."""
    return db.scalar(
        select(Response.submitted_at).where(
            Response.engagement_id == engagement_id,
            Response.definition_id == definition,
            Response.status == ResponseStatus.SUBMITTED,
        )
    )


def link_days(typed: str) -> int | Invalid:
    """A link's lifetime as typed on a send form, in whole days (the booking link's too)."""
    found = typed.strip()
    if not found:
        return Invalid("Enter how many days the link works for")
    if not (found.isascii() and found.isdigit()) or not MIN_DAYS <= int(found) <= MAX_DAYS:
        return Invalid(f"Enter a whole number of days from {MIN_DAYS} to {MAX_DAYS}")
    return int(found)


@dataclass(frozen=True)
class Sent:
    """What the confirmation says: to whom, until when, and when the reminder goes."""

    engagement_id: int
    customer: str
    to: str
    expires_at: datetime
    reminder_at: datetime | None
    email_id: int


def send_questionnaire(
    db: Session, context: Context, engagement_id: int, form: SendForm, actor: str
) -> Sent:
    """Issue the link and queue its invitation and reminder; commits.

    Raises ``NotFound``, :class:`InvalidSend` (nothing written), or what :func:`mail.queue`
    raises, after rolling back: no link is issued without its email.
    """
    engagement = _engagement(db, engagement_id)
    checked = check(db, context, engagement, form)
    try:
        sent = _send(db, context, engagement, checked, form.reminders, actor)
    except Exception:
        db.rollback()
        raise
    db.commit()
    return sent


def _send(
    db: Session, context: Context, engagement: Engagement, checked: Checked,
    remind: bool | None, actor: str,
) -> Sent:  # fmt: skip
    now = utcnow()
    expires_at = datetime.combine(now.date() + timedelta(days=checked.days), LAST_MOMENT)
    link, token = links.issue_link(db, engagement.id, checked.definition, expires_at - now, actor)
    _note_contact(db, engagement, checked, remind, actor)
    contact = contact_for(db, context.settings, engagement, actor)
    values = {
        **questionnaire_values(context.definitions.current[checked.definition]),
        "contact_name": checked.contact_name, "organisation": engagement.customer,
        "project": engagement.project, "expires": moment_in_words(link.expires_at),
        "engineer_name": contact.name, "engineer_email": contact.email,
    }  # fmt: skip
    to = (checked.contact_name or "", checked.contact_email)
    email = mail.queue(
        db, context, template=emails_for(checked.definition).invite, to=[to], values=values,
        actor=actor,
        engagement_id=engagement.id, reply_to=contact.email,
        sealed={"link": links.link_url(context.settings.base_url, token)},
    )  # fmt: skip
    reminder_at = reminders.queue(db, context.settings, link, email)
    audit.record(
        db, actor, SENT_ACTION, engagement_id=engagement.id, link_id=link.id, email_id=email.id,
        definition=checked.definition,
        to=checked.contact_email, expires_at=link.expires_at.isoformat(),
        reminder_at=reminder_at.isoformat() if reminder_at else None,
    )  # fmt: skip
    return Sent(engagement.id, engagement.customer, recipient_in_words(email), link.expires_at,
                reminder_at, email.id)  # fmt: skip


def _note_contact(
    db: Session, engagement: Engagement, checked: Checked, remind: bool | None, actor: str
) -> None:
    """The contact as corrected on the form, and the reminder switch, kept on the engagement
    (the confirmation on submission goes to the same person)."""
    before = (engagement.contact_name, engagement.contact_email)
    after = (checked.contact_name or engagement.contact_name, checked.contact_email)
    if after != before:
        engagement.contact_name, engagement.contact_email = after
        audit.record(db, actor, "engagement.contact", engagement_id=engagement.id,
                     contact_name=after[0], contact_email=after[1])  # fmt: skip
    if remind is not None and engagement.questionnaire_reminders != remind:
        _switch(db, engagement, remind, actor)


def _engagement(db: Session, engagement_id: int) -> Engagement:
    try:
        return links.lock_engagement(db, engagement_id)
    except links.NoSuchEngagement:
        raise NotFound("There is no such engagement.") from None


# -- the reminder switch -------------------------------------------------------------------------


def set_reminders(db: Session, engagement_id: int, on: bool, actor: str) -> bool:
    """Switch the engagement's questionnaire reminders on or off; whether it changed. Commits."""
    engagement = _engagement(db, engagement_id)
    changed = engagement.questionnaire_reminders != on
    if changed:
        _switch(db, engagement, on, actor)
    db.commit()
    return changed


def _switch(db: Session, engagement: Engagement, on: bool, actor: str) -> None:
    engagement.questionnaire_reminders = on
    audit.record(db, actor, "questionnaire.reminders", engagement_id=engagement.id,
                 reminders="on" if on else "off")  # fmt: skip
