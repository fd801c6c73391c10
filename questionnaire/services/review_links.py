"""Sending a document's revision to the customer: the email with the PDF attached and a review
link. One mechanism for every document accepted online (``document_kinds``: the Statement of
Work, the Customer PS Acceptance Document); the examples below are the SoW's.

:func:`send` is the engineer's use case. Under the engagement's lock (the one acceptances
take, so an acceptance and a send of a newer revision run one after the other) it ends the
customer's open review links, marks the revision sent, queues the revision's exports and a
``sow.send`` job, and commits.

The job (:func:`run_send`) waits for the PDF: while it is being rendered the job fails for the
moment and is tried again later; if the PDF failed, the send fails for good with the reason,
which the engineer's SoW page shows. Once it is ready, the job makes the review link and queues
the email, with the PDF and the link, in one transaction. The token is made there and not in
the engineer's request, so that it never sits in a job's payload: the email carries it sealed
(``mail_sealed``: encrypted, the stored bodies hold a stand-in), and the database keeps only
its SHA-256.

Each document has its own links: a send ends the open links to that document only. For the SoW,
the engagement stays in Statement of Work and the board card says the revision is awaiting the
customer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import email_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from questionnaire.store.models import (
    Engagement,
    Export,
    ExportStatus,
    Job,
    SowDraft,
    SowRevision,
    User,
    utcnow,
)
from questionnaire.store.reviews import ReviewLink

from . import audit, email_templates, exports, jobs, links, mail, sow, sow_desk
from .context import Context
from .document_kinds import SOW, DocumentKind, of_revision
from .review_state import SEND_JOB, send_key_prefix

#: Waits of 10 s, 40 s, 90 s ... for the PDF: about 25 minutes in all.
SEND_ATTEMPTS = 8


class InvalidRecipient(ValueError):
    """The name or address to send to is missing or wrong (``errors``: field -> message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NotLatest(Exception):
    """Only the latest revision is sent: a newer one was saved (``latest``)."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"Revision {latest} is the latest: send that one.")
        self.latest = latest


class PdfNotReady(Exception):
    """The revision's PDF is still being rendered: the job tries again later."""


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str


def check_recipient(name: str, address: str) -> Recipient:
    """The recipient, or :class:`InvalidRecipient` naming each problem."""
    name = email_templates.one_line(name.replace("\x00", ""), 200)
    address = address.replace("\x00", "").strip()
    errors = {}
    if not name:
        errors["to_name"] = "Enter the name of the person to send it to"
    if not address:
        errors["to_address"] = "Enter the email address to send it to"
    elif not is_address(address):
        errors["to_address"] = "Enter an email address in the correct format, like name@example.com"
    if errors:
        raise InvalidRecipient(errors)
    return Recipient(name, address)


def is_address(value: str) -> bool:
    if value != email_templates.one_line(value, 254):
        return False  # a line break could add a header
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


def send(
    db: Session,
    engagement_id: int,
    number: int,
    to_name: str,
    to_address: str,
    actor: str,
    *,
    kind: DocumentKind = SOW,
) -> SowRevision:
    """Send revision ``number`` of the engagement's ``kind`` of document to ``to_name`` at
    ``to_address``; commits. Raises :class:`InvalidRecipient`, ``NotFound``, :class:`NotLatest`
    or ``SowAccepted`` (nothing is changed then)."""
    recipient = check_recipient(to_name, to_address)
    sow_desk.lock(db, engagement_id)
    draft, revision = document_revision(db, kind, engagement_id, number)
    if revision.number != draft.revisions[-1].number:
        db.rollback()
        raise NotLatest(draft.revisions[-1].number)
    sow_desk.refuse_if_accepted(db, draft)
    end_open_links(db, engagement_id, actor, reason="sent again", kind=kind)
    sow.note_sent(db, revision, actor, how="email")
    exports.queue_all(db, revision)  # each format once: usually made when the revision was
    key = secrets.token_hex(8)
    jobs.enqueue(
        db, SEND_JOB,
        {"engagement_id": engagement_id, "draft_id": draft.id, "revision_id": revision.id,
         "revision": revision.number, "to_name": recipient.name,
         "to_address": recipient.address, "actor": actor, "key": key},
        dedupe_key=f"{send_key_prefix(draft.id)}{key}", max_attempts=SEND_ATTEMPTS,
    )  # fmt: skip
    audit.record(db, actor, kind.action("send"), engagement_id=engagement_id,
                 revision=revision.number, to=recipient.address)  # fmt: skip
    db.commit()
    return revision


def document_revision(
    db: Session, kind: DocumentKind, engagement_id: int, number: int
) -> tuple[SowDraft, SowRevision]:
    """The engagement's document of ``kind`` and its revision ``number``; ``NotFound``."""
    draft = kind.find_draft(db, sow_desk.engagement(db, engagement_id))
    if draft is None:
        raise sow_desk.NotFound(f"There is no {kind.title} yet.")
    chosen = next((r for r in draft.revisions if r.number == number), None)
    if chosen is None:
        raise sow_desk.NotFound("There is no such revision.")
    return draft, chosen


def end_open_links(
    db: Session, engagement_id: int, actor: str, *, reason: str, kind: DocumentKind = SOW
) -> None:
    """End the review links to the engagement's ``kind`` of document that still work (the
    caller holds the engagement's lock): one open link per document."""
    now = utcnow()
    of_kind = (
        select(SowRevision.id)
        .join(SowDraft, SowDraft.id == SowRevision.draft_id)
        .where(SowDraft.engagement_id == engagement_id, SowDraft.kind == kind.name)
    )
    ended = db.scalars(
        update(ReviewLink)
        .where(
            ReviewLink.engagement_id == engagement_id,
            ReviewLink.revision_id.in_(of_kind),
            ReviewLink.revoked_at.is_(None),
            ReviewLink.expires_at > now,
        )
        .values(revoked_at=now)
        .returning(ReviewLink.id)
        .execution_options(synchronize_session=False)
    ).all()
    for link_id in ended:
        audit.record(db, actor, kind.action("review_link.revoke"), engagement_id=engagement_id,
                     link_id=link_id, reason=reason)  # fmt: skip


# -- the worker's job ------------------------------------------------------------------------------


def run_send(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Once the PDF is ready: the review link and the email, in the worker's transaction."""
    try:
        engagement = links.lock_engagement(db, int(payload["engagement_id"]))
    except links.NoSuchEngagement:
        raise jobs.PermanentFailure("the engagement no longer exists") from None
    if _replaced(db, payload):
        return  # the engineer sent again since: that send's job makes the link
    revision = db.get(SowRevision, int(payload["revision_id"]))
    if revision is None:
        raise jobs.PermanentFailure("the revision no longer exists")
    pdf = _ready_pdf(db, revision)
    kind = of_revision(revision)
    end_open_links(db, engagement.id, str(payload["actor"]), reason="sent again", kind=kind)
    token = links.new_token()
    now = utcnow()
    link = ReviewLink(
        engagement_id=engagement.id, revision_id=revision.id, token_hash=links.token_hash(token),
        created_at=now, created_by=str(payload["actor"]),
        expires_at=now + timedelta(days=context.settings.sow_review_expiry_days),
    )  # fmt: skip
    db.add(link)
    db.flush()
    _queue_email(context, db, engagement, revision, pdf, link, token, payload)
    audit.record(db, link.created_by, kind.action("review_link.issue"), engagement_id=engagement.id,
                 link_id=link.id, revision=revision.number, expires_at=link.expires_at.isoformat())  # fmt: skip


def send_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """Recorded in the history; the document's page shows the job's reason beside "Send again"."""
    revision = db.get(SowRevision, int(payload["revision_id"]))
    kind = of_revision(revision) if revision is not None else SOW
    audit.record(db, "sender", kind.action("send_failed"), engagement_id=int(payload["engagement_id"]),
                 revision=payload.get("revision"), error=message)  # fmt: skip


def _replaced(db: Session, payload: dict[str, Any]) -> bool:
    """Whether a later send of the same draft was asked for (its job has a higher id)."""
    prefix = send_key_prefix(int(payload["draft_id"]))
    own = db.scalar(select(Job.id).where(Job.dedupe_key == f"{prefix}{payload['key']}"))
    newer = db.scalar(
        select(Job.id).where(Job.dedupe_key.startswith(prefix), Job.id > (own or 0)).limit(1)
    )
    return newer is not None


def _ready_pdf(db: Session, revision: SowRevision) -> Export:
    pdf = db.scalars(
        select(Export).where(Export.revision_id == revision.id, Export.format == "pdf")
    ).first()
    if pdf is None:
        raise jobs.PermanentFailure(f"the PDF of revision {revision.number} was never queued")
    if pdf.status is ExportStatus.FAILED:
        raise jobs.PermanentFailure(
            f"the PDF of revision {revision.number} could not be made ({pdf.error}), so the "
            "email was not sent"
        )
    if pdf.status is not ExportStatus.READY or not pdf.stored_name:
        raise PdfNotReady(f"the PDF of revision {revision.number} is still being made")
    return pdf


def _queue_email(
    context: Context,
    db: Session,
    engagement: Engagement,
    revision: SowRevision,
    pdf: Export,
    link: ReviewLink,
    token: str,
    payload: dict[str, Any],
) -> None:
    engineer_name, engineer_email = sender_of(db, link.created_by, context)
    kind = of_revision(revision)
    values = {
        "contact_name": payload["to_name"], "organisation": engagement.customer,
        "project": engagement.project, "revision": revision.number,
        "expires_on": _day(link.expires_at),
        "engineer_name": engineer_name, "engineer_email": engineer_email,
    }  # fmt: skip
    filename = exports.download_name(engagement.customer, revision.number, "pdf", kind.file_stem)
    assert pdf.stored_name is not None  # _ready_pdf checked it
    attachment = mail.Attachment("exports", pdf.stored_name, filename, "application/pdf")
    try:
        mail.queue(
            db, context, template=kind.sent_template,
            to=[(str(payload["to_name"]), str(payload["to_address"]))], values=values,
            actor=link.created_by, engagement_id=engagement.id, attachments=[attachment],
            reply_to=engineer_email,
            sealed={"review_link": review_url(context.settings.base_url, token)},
        )  # fmt: skip
    except (
        email_templates.MissingValue, email_templates.TemplateProblem, mail.InvalidAddress,
        mail.AttachmentUnavailable,
    ) as exc:  # fmt: skip
        raise jobs.PermanentFailure(f"the email could not be made: {exc}") from exc


def review_url(base_url: str, token: str) -> str:
    """Built from the configured base URL, never from a request's Host header."""
    return f"{base_url.rstrip('/')}/s/{token}/"


def sender_of(db: Session, actor: str, context: Context) -> tuple[str, str]:
    """The engineer's name and address for the customer to write to (the services address
    when the actor is no account)."""
    user = db.scalars(select(User).where(User.email == actor)).first()
    if user is None:
        return "our services team", context.settings.contact_email
    return user.name, user.email


def _day(moment: datetime) -> str:
    return f"{moment:%-d %B %Y}"
