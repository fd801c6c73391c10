"""What the engagement page says about sending the questionnaire: when it was last sent and to
whom, until when its link works, where its reminder stands, and the form's starting values.

Read from the rows the sending left: its history event (which names the link and the email),
the email's state, the reminder's job and the reminder's own history event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    Job,
    JobStatus,
    Link,
    OutgoingEmail,
    utcnow,
)

from . import reminders
from .context import Context
from .invitation_values import SENT_ACTION, day_in_words, recipient_in_words
from .invitations import MAX_DAYS, MIN_DAYS, submitted_at
from .settings import Settings
from .sow_desk import NotFound
from .validation_ids import VALIDATION

DEFAULT_DEFINITION = "pre_discovery"


@dataclass(frozen=True)
class LastSent:
    """The latest sending of the questionnaire, as the page words it."""

    sent_at: datetime
    to: str
    email_state: str  # the invitation's: queued, sent or failed
    expires_at: datetime
    link_open: bool  # still the engagement's working link
    reminder: str  # "reminder due on Tuesday 31 March 2026", "reminder sent on ...", ...


@dataclass(frozen=True)
class SendPanel:
    """The "Send the questionnaire" section: the last sending and the form's starting values."""

    last: LastSent | None
    contact_name: str
    contact_email: str
    definitions: list[str]
    definition: str
    expires_days: int
    min_days: int
    max_days: int
    reminders_on: bool
    reminder_days: int  # 0: reminders are off everywhere
    #: When the customer submitted the questionnaire the form would send (nothing to send).
    submitted_at: datetime | None


@dataclass(frozen=True)
class SendPage:
    """The form on a page of its own (and its errors), or the confirmation after sending."""

    engagement_id: int
    customer: str
    panel: SendPanel


def send_page(db: Session, context: Context, engagement_id: int, definition: str = "") -> SendPage:
    """The form (or confirmation) of the discovery questionnaire, or with ``definition``
    ``validation``, the validation questionnaire's."""
    engagement = db.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    return SendPage(engagement.id, engagement.customer, panel(db, context, engagement, definition))


def panel(db: Session, context: Context, engagement: Engagement, definition: str = "") -> SendPanel:
    """The validation questionnaire (``definition`` ``validation``) is sent from a section of
    its own, once the PDR exists; the other questionnaires share the main form."""
    settings = context.settings
    validation = definition == VALIDATION
    latest = db.scalars(
        select(Link)
        .where(Link.engagement_id == engagement.id, _of_kind(validation))
        .order_by(Link.id.desc())
        .limit(1)
    ).first()
    choices = sorted(d for d in context.definitions.current if (d == VALIDATION) == validation)
    preferred = [latest.definition_id] if latest else []
    wanted = [*preferred, DEFAULT_DEFINITION, *choices]
    definition = next((d for d in wanted if d in choices), "")
    return SendPanel(
        last=last_sent(db, settings, engagement, latest),
        contact_name=engagement.contact_name or "", contact_email=engagement.contact_email or "",
        definitions=choices, definition=definition,
        expires_days=max(MIN_DAYS, min(settings.link_expiry_days, MAX_DAYS)),
        min_days=MIN_DAYS, max_days=MAX_DAYS, reminders_on=engagement.questionnaire_reminders,
        reminder_days=settings.questionnaire_reminder_days,
        submitted_at=submitted_at(db, engagement.id, definition) if definition else None,
    )  # fmt: skip


def last_sent(
    db: Session, settings: Settings, engagement: Engagement, latest: Link | None
) -> LastSent | None:
    if latest is None:
        return None
    event = _latest_event(db, engagement.id, latest.definition_id == VALIDATION)
    if event is None:
        return None
    detail = event.detail
    link = db.get(Link, int(detail["link_id"]))
    email = db.get(OutgoingEmail, int(detail["email_id"]))
    if link is None or email is None:
        return None
    now = utcnow()
    is_open = latest is not None and latest.id == link.id and link.revoked_at is None
    return LastSent(
        sent_at=event.at, to=recipient_in_words(email), email_state=email.status.value,
        expires_at=link.expires_at, link_open=is_open and link.expires_at > now,
        reminder=_reminder(db, settings, link, event, now),
    )  # fmt: skip


def _latest_event(db: Session, engagement_id: int, validation: bool) -> AuditEvent | None:
    """The latest sending of the validation questionnaire, or of the others."""
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.engagement_id == engagement_id, AuditEvent.action == SENT_ACTION)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    for event in events:
        link = db.get(Link, int(event.detail["link_id"]))
        if link is not None and (link.definition_id == VALIDATION) == validation:
            return event
    return None


def _of_kind(validation: bool) -> ColumnElement[bool]:
    return (Link.definition_id == VALIDATION) if validation else (Link.definition_id != VALIDATION)


def _reminder(db: Session, settings: Settings, link: Link, sent: AuditEvent, now: datetime) -> str:
    reminded = db.scalars(
        select(AuditEvent.at).where(
            AuditEvent.engagement_id == link.engagement_id,
            AuditEvent.action == reminders.REMIND_ACTION,
            AuditEvent.at >= sent.at,
        )
    ).first()
    if reminded is not None:
        return f"reminder sent on {day_in_words(reminded)}"
    job = db.scalars(select(Job).where(Job.dedupe_key == reminders.job_key(link.id))).first()
    if job is None:
        if settings.questionnaire_reminder_days == 0:
            return "no reminder: reminders are switched off for every engagement"
        return "no reminder: the link's life is too short for one"
    if job.status is JobStatus.FAILED:
        return f"the reminder failed: {job.last_error}"
    if job.status is JobStatus.DONE:
        return "no reminder went: when it was due, it was no longer needed"
    reason = reminders.why_not(db, settings, link, now)
    if reason is not None:
        return f"no reminder: {reason}"
    return f"reminder due on {day_in_words(job.run_after)}"
