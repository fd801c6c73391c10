"""The questionnaire's reminder: queued with the invitation, sent only if it is still needed.

Sending the questionnaire queues one ``questionnaire.remind`` job per link (its dedupe key),
held back until 09:00 UTC, ``QUESTIONNAIRE_REMINDER_DAYS`` days before the link's last day. A
link whose reminder would come less than a day after it was sent gets none: a link that short
was made for a customer the engineer is already chasing. When the job runs, it emails the
customer only if all of these still hold; otherwise it does nothing:

- reminders are on (the setting is not 0, and the engagement's switch is on);
- the link is the engagement's open one (not revoked, not expired, not re-issued);
- the questionnaire is not submitted.

The job and the reminder's email commit together, and a job is claimed by one worker, so of
any number of workers one reminder goes, once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.models import (
    Engagement,
    Link,
    OutgoingEmail,
    Response,
    ResponseStatus,
    utcnow,
)

from . import audit, jobs, mail, mail_sealed
from .context import Context
from .invitation_values import (
    contact_for,
    day_in_words,
    emails_for,
    link_sent_in,
    moment_in_words,
    questionnaire_values,
)
from .settings import Settings

log = logging.getLogger(__name__)

REMIND_JOB = "questionnaire.remind"
REMIND_ACTION = "questionnaire.remind"
#: When in the day a reminder goes (UTC): office hours in the UK, where the team works.
SEND_AT = time(9, 0, tzinfo=UTC)
#: A reminder due sooner than this after the invitation is not queued.
MIN_GAP = timedelta(days=1)
SYSTEM = "reminder"


def due_at(settings: Settings, sent_at: datetime, expires_at: datetime) -> datetime | None:
    """When the reminder of a link sent at ``sent_at`` goes, or ``None``: no reminder."""
    days = settings.questionnaire_reminder_days
    if days == 0:
        return None
    last_day = expires_at.astimezone(UTC).date()
    moment = datetime.combine(last_day - timedelta(days=days), SEND_AT)
    return moment if moment >= sent_at + MIN_GAP else None


def queue(db: Session, settings: Settings, link: Link, invite: OutgoingEmail) -> datetime | None:
    """Queue the link's reminder in ``db``'s transaction; when it is due (``None``: none)."""
    when = due_at(settings, link.created_at, link.expires_at)
    if when is not None:
        jobs.enqueue(
            db, REMIND_JOB, {"link_id": link.id, "email_id": invite.id},
            dedupe_key=job_key(link.id), max_attempts=3, run_after=when,
        )  # fmt: skip
    return when


def job_key(link_id: int) -> str:
    return f"{REMIND_JOB}:{link_id}"


def why_not(db: Session, settings: Settings, link: Link | None, now: datetime) -> str | None:
    """Why the link's reminder must not go now (``None``: it should)."""
    if settings.questionnaire_reminder_days == 0:
        return "reminders are switched off for every engagement"
    if link is None:
        return "the link no longer exists"
    if link.revoked_at is not None:
        return "the link was revoked or replaced"
    if link.expires_at <= now:
        return "the link has expired"
    latest = db.scalar(select(func.max(Link.id)).where(Link.engagement_id == link.engagement_id))
    if latest != link.id:
        return "a newer link was sent"
    if _response(db, link) is ResponseStatus.SUBMITTED:
        return "the questionnaire is submitted"
    engagement = db.get(Engagement, link.engagement_id)
    if engagement is None or not engagement.questionnaire_reminders:
        return "reminders are switched off for this engagement"
    return None


def _response(db: Session, link: Link) -> ResponseStatus | None:
    return db.scalar(
        select(Response.status).where(
            Response.engagement_id == link.engagement_id,
            Response.definition_id == link.definition_id,
        )
    )


# -- the worker's job ------------------------------------------------------------------------------


def run_reminder(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Email the reminder if it is still needed; else do nothing. The worker commits."""
    link = db.get(Link, int(payload["link_id"]))
    reason = why_not(db, context.settings, link, utcnow())
    if reason is not None or link is None:
        log.info("reminder for link %s not sent: %s", payload["link_id"], reason)
        return
    invite = db.get(OutgoingEmail, int(payload["email_id"]))
    try:
        url = link_sent_in(context, invite, link) if invite else None
    except mail_sealed.SealBroken as exc:
        raise jobs.PermanentFailure(f"The reminder cannot be sent: {exc}") from exc
    if invite is None or url is None:  # the invitation's row is gone: nothing to remind of
        raise jobs.PermanentFailure("the invitation email that carried the link is gone")
    engagement = db.get(Engagement, link.engagement_id)
    assert engagement is not None  # the link's foreign key
    contact = contact_for(db, context.settings, engagement, link.created_by)
    q = context.definitions.current.get(link.definition_id)
    values = {
        **(questionnaire_values(q) if q else {"questionnaire_title": "our questionnaire"}),
        "contact_name": invite.recipients[0]["name"] or None,
        "organisation": engagement.customer,
        "expires": moment_in_words(link.expires_at), "sent_on": day_in_words(invite.created_at),
        "started": _response(db, link) is ResponseStatus.DRAFT,
        "engineer_name": contact.name, "engineer_email": contact.email,
    }  # fmt: skip
    email = mail.queue(
        db, context, template=emails_for(link.definition_id).reminder, values=values,
        actor=SYSTEM,
        to=[(r["name"], r["address"]) for r in invite.recipients],
        engagement_id=engagement.id, reply_to=contact.email, sealed={"link": url},
    )  # fmt: skip
    audit.record(db, SYSTEM, REMIND_ACTION, engagement_id=engagement.id, link_id=link.id,
                 email_id=email.id)  # fmt: skip


def reminder_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """The engagement's history says the reminder failed, and why."""
    link = db.get(Link, int(payload["link_id"]))
    if link is not None:
        audit.record(db, SYSTEM, "questionnaire.remind_failed", engagement_id=link.engagement_id,
                     link_id=link.id, error=message[:500])  # fmt: skip
