"""Outgoing email that is never lost and never sent twice: a transactional outbox.

A use case that causes an email calls :func:`queue` inside its own transaction: the email is
rendered there (so a missing value stops the use case before anything is queued), written as
an :class:`~questionnaire.store.models.OutgoingEmail` row with a Message-ID made once, and a
``mail.send`` job is queued beside it. Both commit with the change that caused them, or
neither does: an email is never sent for a change that rolled back, and never lost for one that
committed. The worker's :func:`run_send` then builds the message from the row and hands it to
the transport (``mail_transport``): temporary failures (unreachable, 4xx) are retried with a
growing wait, permanent ones (5xx, a refused configuration, a file gone) fail the email with
the reason, and an engineer can :func:`send_again` it from the Outbox page.

SMTP is not transactional: a worker killed after the server accepted a message and before its
job committed sends it again when the job is taken up. The copy carries the same Message-ID
(it is the row's), so mail systems and readers see one message.

The public API, for the use cases that send email::

    queue(db, context, template="handover_customer", to=["jo@acme.test", ("Jo", "jo@...")],
          values={...}, actor=email, engagement_id=None, attachments=[Attachment(...)],
          reply_to=None, sealed={"link": url}, calendar=CalendarPart(ics, "REQUEST"))
        -> OutgoingEmail   # the caller's transaction
        raises email_templates.MissingValue (names the values), email_templates.TemplateProblem,
        InvalidAddress, AttachmentUnavailable
    send_again(db, email_id, actor) -> bool      # a failed email, queued again; commits
    outbox(db, page=1) -> OutboxPage, entry(db, email_id) -> OutboxEntry   # the Outbox page

A value that opens something (a link with its token) goes in ``sealed``, not ``values``: the
template sees a stand-in and the stored email keeps the value encrypted (``mail_sealed``).
:func:`sealed_values` gives another use case (a reminder) the values an email was sent with.

Attachments are files already in storage (``Attachment("exports", stored_name, "SoW.pdf",
"application/pdf")``); they are read when the email is sent, so they must stay until then. A
calendar invitation made for the email (``calendar``, a ``CalendarPart``: a booking's ``.ics``)
is small and belongs to that one message, so it is kept in the row instead (base64, at most
``mail_message.MAX_INLINE_BYTES``) and sent as ``text/calendar; method=...`` and an attachment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from email.utils import make_msgid
from pathlib import Path
from typing import Any, cast

import email_validator
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from questionnaire.store.models import MAX_INT, EmailStatus, OutgoingEmail, utcnow

from . import audit, email_templates, jobs, mail_sealed
from .context import Context
from .mail_message import (
    Attachment,
    CalendarPart,
    compose,
    envelope_of,
    file_name,
    mailbox,
    stored_files,
)
from .mail_outbox import SEND_JOB, OutboxEntry, OutboxPage, entry, job_key, outbox
from .mail_transport import DeliveryRefused, transport_for
from .settings import Settings
from .sow_desk import NotFound

__all__ = [
    "SEND_JOB",
    "Attachment",
    "AttachmentUnavailable",
    "CalendarPart",
    "InvalidAddress",
    "NotFound",
    "OutboxEntry",
    "OutboxPage",
    "entry",
    "outbox",
    "queue",
    "send_again",
]

#: Temporary failures are retried for about 45 minutes (the waits grow: 10 s, 40 s, 90 s ...).
MAX_ATTEMPTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # in all: most mail servers refuse 25 MB and more
STORES = ("exports", "uploads")

#: An address, or (display name, address).
Recipient = str | tuple[str, str]


class InvalidAddress(ValueError):
    """An address that is not one, or holds a line break (it could add headers)."""


class AttachmentUnavailable(ValueError):
    """An attachment that is not a file in storage, or makes the email too large."""


def queue(
    db: Session,
    context: Context,
    *,
    template: str,
    to: list[Recipient],
    values: dict[str, Any],
    actor: str,
    engagement_id: int | None = None,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    reply_to: str | None = None,
    sealed: Mapping[str, str] | None = None,
    calendar: CalendarPart | None = None,
) -> OutgoingEmail:
    """Render and queue an email in ``db``'s transaction; the caller commits (or rolls back)."""
    settings = context.settings
    loaded = email_templates.load(settings.mail.templates_dir, template)
    shown = {**values, **{name: mail_sealed.stand_in(name) for name in sealed or {}}}
    rendered = email_templates.render(email_templates.Site.of(settings), loaded, shown)
    if not to:
        raise InvalidAddress("an email needs at least one recipient")
    sender = _mailbox(settings.mail.sender)
    email = OutgoingEmail(
        message_id=_message_id(sender), template=template, engagement_id=engagement_id,
        sender=sender, recipients=[_recipient(r) for r in to],
        reply_to=_mailbox(reply_to) if reply_to else None, subject=rendered.subject,
        text_body=rendered.text, html_body=rendered.html,
        sealed=mail_sealed.seal(settings.mail.secret_key, sealed) if sealed else None,
        attachments=[asdict(a) for a in _checked(settings, attachments)] + _inline(calendar),
        status=EmailStatus.QUEUED, send_round=1, created_at=utcnow(), created_by=actor,
    )  # fmt: skip
    db.add(email)
    db.flush()  # the id, for the job
    _queue_send(db, email)
    audit.record(
        db, actor, "mail.queued", engagement_id=engagement_id, email_id=email.id,
        template=template, to=[r["address"] for r in email.recipients],
    )  # fmt: skip
    return email


def send_again(db: Session, email_id: int, actor: str) -> bool:
    """Queue a failed email again (same message, same Message-ID); commits.

    ``False`` when it is not failed (any more): sent, or queued already by a second click.
    """
    email = _find(db, email_id)
    result = db.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == email.id, OutgoingEmail.status == EmailStatus.FAILED)
        .values(status=EmailStatus.QUEUED, send_round=OutgoingEmail.send_round + 1, last_error=None)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        db.rollback()
        return False
    db.refresh(email)
    _queue_send(db, email)
    audit.record(db, actor, "mail.send_again", engagement_id=email.engagement_id, email_id=email.id)
    db.commit()
    return True


def _find(db: Session, email_id: int) -> OutgoingEmail:
    found = db.get(OutgoingEmail, email_id) if 0 < email_id <= MAX_INT else None
    if found is None:
        raise NotFound("There is no such email.")
    return found


def _queue_send(db: Session, email: OutgoingEmail) -> None:
    """One job per round: the key makes a second queuing of the same round a no-op."""
    jobs.enqueue(
        db, SEND_JOB, {"email_id": email.id, "round": email.send_round},
        dedupe_key=job_key(email), max_attempts=MAX_ATTEMPTS,
    )  # fmt: skip


# -- the worker's job ------------------------------------------------------------------------------


def run_send(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Deliver the email; marked sent in the transaction the worker commits with the job."""
    # Held until that commit: nothing else changes the row while it is being sent.
    email = db.get(OutgoingEmail, int(payload["email_id"]), with_for_update=True)
    if email is None:
        raise jobs.PermanentFailure("the email no longer exists")
    if email.status is not EmailStatus.QUEUED or int(payload["round"]) != email.send_round:
        return  # sent already, or another round's job is the one to send it
    try:
        secrets = sealed_values(context, email)
    except mail_sealed.SealBroken as exc:
        raise jobs.PermanentFailure(str(exc)) from exc
    message = compose(email, _attachment_files(context.settings, email), secrets)
    try:
        delivery = transport_for(context.settings.mail).deliver(
            message, envelope_of(message), file_name(email)
        )
    except DeliveryRefused as exc:
        raise jobs.PermanentFailure(str(exc)) from exc
    # DeliveryDeferred goes on to the worker, which records it and tries again later.
    email.status, email.sent_at, email.delivery = EmailStatus.SENT, utcnow(), delivery[:500]


def sealed_values(context: Context, email: OutgoingEmail) -> dict[str, str]:
    """The secret values ``email`` was queued with; raises ``mail_sealed.SealBroken``."""
    if email.sealed is None:
        return {}
    return mail_sealed.unseal(context.settings.mail.secret_key, email.sealed)


def send_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """The send failed for good: the email says why, for the Outbox page and "Send again"."""
    db.execute(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.id == int(payload["email_id"]),
            OutgoingEmail.send_round == int(payload["round"]),
            OutgoingEmail.status == EmailStatus.QUEUED,
        )
        .values(status=EmailStatus.FAILED, last_error=message[: jobs.ERROR_LIMIT])
        .execution_options(synchronize_session=False)
    )


def _attachment_files(settings: Settings, email: OutgoingEmail) -> list[tuple[Attachment, bytes]]:
    files = []
    for attachment in stored_files(email):
        try:
            files.append((attachment, _stored_path(settings, attachment).read_bytes()))
        except OSError as exc:
            raise jobs.PermanentFailure(
                f"the attachment {attachment.filename} is no longer in storage"
            ) from exc
    return files


# -- checking what a caller gives ---------------------------------------------------------------------


def _recipient(value: Recipient) -> dict[str, str]:
    name, address = value if isinstance(value, tuple) else ("", value)
    return {"name": email_templates.one_line(str(name), 200), "address": _address(address)}


def _address(address: str) -> str:
    """The address normalised, or :class:`InvalidAddress`: a CR or LF is never let through."""
    if not isinstance(address, str) or address != email_templates.one_line(address, 254):
        raise InvalidAddress(f"{address!r} is not an email address")
    try:
        return email_validator.validate_email(address, check_deliverability=False).normalized
    except email_validator.EmailNotValidError as exc:
        raise InvalidAddress(f"{address!r} is not an email address: {exc}") from exc


def _mailbox(value: str) -> str:
    """``"Name <address>"`` or an address (the configured sender, a reply-to), checked."""
    name, bracket, rest = value.rpartition("<")
    if not bracket:
        return _address(value.strip())
    address = _address(rest.removesuffix(">").strip())
    return mailbox(email_templates.one_line(name.strip().strip('"'), 200), address)


def _message_id(sender: str) -> str:
    """Unique, made once per email: every delivery of it carries the same one."""
    domain = sender.rpartition("@")[2].rstrip(">").strip()
    return make_msgid(domain=domain.encode("idna").decode("ascii"))


def _stored_path(settings: Settings, attachment: Attachment) -> Path:
    folder = settings.export_dir if attachment.store == "exports" else settings.upload_dir
    return folder / attachment.stored_name


def _inline(calendar: CalendarPart | None) -> list[dict[str, str]]:
    if calendar is None:
        return []
    try:
        return [calendar.stored()]
    except (ValueError, UnicodeDecodeError) as exc:
        raise AttachmentUnavailable(f"the invitation cannot be attached: {exc}") from exc


def _checked(
    settings: Settings, attachments: list[Attachment] | tuple[Attachment, ...]
) -> list[Attachment]:
    total = 0
    for attachment in attachments:
        if attachment.store not in STORES or not attachment.well_formed():
            raise AttachmentUnavailable(f"{attachment.stored_name!r} is not a stored file")
        path = _stored_path(settings, attachment)
        if not path.is_file():
            raise AttachmentUnavailable(f"{attachment.filename} is not in storage")
        total += path.stat().st_size
    if total > MAX_ATTACHMENT_BYTES:
        raise AttachmentUnavailable(
            f"the attachments come to more than {MAX_ATTACHMENT_BYTES // 2**20} MB"
        )
    return [attachment.cleaned() for attachment in attachments]
