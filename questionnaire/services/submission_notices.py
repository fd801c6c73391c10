"""The emails a submission causes: the customer's confirmation and the engineer's notice.

Queued in the submission's own transaction (``responses.submit(..., after=...)``), so a
submission that rolls back sends nothing, and, since one submission of a response commits, a
double submit sends one of each. A notice that cannot be queued (a broken template, a stored
address that is not one) never costs the customer their submission: it is left out, logged,
and the engagement's history says why.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, Link, Response, User, utcnow

from . import audit, email_templates, mail
from .context import Context
from .invitation_values import contact_for, day_in_words, emails_for

log = logging.getLogger(__name__)

SYSTEM = "submission"
#: What may keep a notice from being queued, besides the database failing (which it may not).
_EMAIL_PROBLEMS = (
    mail.InvalidAddress,
    email_templates.MissingValue,
    email_templates.TemplateProblem,
)


def queue_notices(db: Session, context: Context, response: Response) -> None:
    """Queue the confirmation (when the engagement has a contact's address) and the notice to
    the assigned engineer, else the services team. In the caller's transaction; no commit."""
    engagement = db.get(Engagement, response.engagement_id)
    assert engagement is not None  # the response's foreign key
    q = context.definitions.by_hash(db, response.definition_sha256)
    common: dict[str, Any] = {
        "organisation": engagement.customer, "questionnaire_title": q.definition.title,
        "submitted_on": day_in_words(utcnow()),
    }  # fmt: skip
    contact = contact_for(db, context.settings, engagement, _sender(db, engagement))
    if engagement.contact_email:
        values = {**common, "contact_name": engagement.contact_name,
                  "engineer_name": contact.name, "engineer_email": contact.email}  # fmt: skip
        to = (engagement.contact_name or "", engagement.contact_email)
        received = emails_for(response.definition_id).received
        _queue(db, context, engagement, received, [to], values, reply_to=contact.email)
    engineer = db.get(User, engagement.engineer_id) if engagement.engineer_id else None
    if engineer is not None and not engineer.active:  # deactivated: the team reads it instead
        engineer = None
    recipient: mail.Recipient = (
        (engineer.name, engineer.email) if engineer else context.settings.mail.services_team
    )
    values = {
        **common, "engagement_id": engagement.id, "project": engagement.project,
        "engineer_name": engineer.name if engineer else None,
        "contact_name": engagement.contact_name, "contact_email": engagement.contact_email,
    }  # fmt: skip
    submitted = emails_for(response.definition_id).submitted
    _queue(db, context, engagement, submitted, [recipient], values, reply_to=None)


def _sender(db: Session, engagement: Engagement) -> str:
    """Who made the engagement's latest link: the person the customer heard from."""
    sender = db.scalar(
        select(Link.created_by)
        .where(Link.engagement_id == engagement.id)
        .order_by(Link.id.desc())
        .limit(1)
    )
    return sender or engagement.created_by


def _queue(
    db: Session,
    context: Context,
    engagement: Engagement,
    template: str,
    to: list[mail.Recipient],
    values: dict[str, Any],
    reply_to: str | None,
) -> None:
    try:
        with db.begin_nested():  # a refused email undoes only itself
            mail.queue(db, context, template=template, to=to, values=values, actor=SYSTEM,
                       engagement_id=engagement.id, reply_to=reply_to)  # fmt: skip
    except _EMAIL_PROBLEMS as exc:
        log.error("the %s email for engagement %s was not queued: %s", template, engagement.id, exc)
        audit.record(db, SYSTEM, "mail.not_queued", engagement_id=engagement.id,
                     template=template, error=str(exc)[:500])  # fmt: skip
