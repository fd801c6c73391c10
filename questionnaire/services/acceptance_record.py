"""The acceptance record: a PDF the worker makes once per acceptance, then emails the customer;
for every document accepted online, named for its kind (``document_kinds``).

It is written as Markdown, every value escaped so it reads as the text it is, and rendered by
the SoW exports' own PDF pipeline (``sow_prefill.export``): one PDF stack, with its limits.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement
from questionnaire.store.reviews import Acceptance, ReviewLink
from sow_prefill.markdown_text import escape

from . import audit, email_templates, exports, jobs, mail, sow_desk
from .context import Context
from .document_kinds import SOW, DocumentKind, of_revision
from .review_links import sender_of
from .review_state import acceptance_of, sent_to
from .settings import Settings

#: Every document's records (the name is from when the SoW was the only one: queued jobs keep it).
RECORD_JOB = "sow.acceptance_record"


def day_and_time(moment: datetime) -> str:
    return f"{moment:%-d %B %Y at %H:%M:%S} UTC"


def record_name(customer: str, revision: int, kind: DocumentKind = SOW) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", customer).strip("-")[:60] or "customer"
    return f"{kind.file_stem}-acceptance-{name}-r{revision}.pdf"


def record_markdown(acceptance: Acceptance, engagement: Engagement) -> str:
    """The record's text: what was accepted, by whom, when, from where, and the document's hash."""
    revision = acceptance.revision
    title = of_revision(revision).title
    organisation = escape(engagement.customer)
    sent = f" (sent on {revision.sent_at:%-d %B %Y})" if revision.sent_at else ""
    lines = [
        f"# Acceptance of the {title}",
        "",
        f"{organisation} accepted revision {revision.number} of the {title}"
        f"{' for ' + escape(engagement.project) if engagement.project else ''}.",
        "",
        f"- **Organisation:** {organisation}",
        f"- **Revision:** {revision.number}{sent}",
        f"- **Accepted by:** {escape(acceptance.full_name)}, {escape(acceptance.job_title)}",
        f"- **Authority:** they confirmed “{escape(authority(engagement.customer, title))}”",
        f"- **Accepted at:** {day_and_time(acceptance.accepted_at)}",
        f"- **From the address:** {escape(acceptance.ip_address)}",
        f"- **Browser:** {escape(acceptance.user_agent or 'not given')}",
        f"- **Document accepted:** {escape(acceptance.document_name)}",
        "",
        "## SHA-256 of the document accepted",
        "",
        acceptance.document_sha256,
        "",
        "The document accepted is the PDF attached to our email and offered on the review "
        "page. Its SHA-256 identifies those exact bytes: a copy is the same document if "
        "`sha256sum` (Linux), `shasum -a 256` (macOS) or `Get-FileHash` (Windows PowerShell) "
        "prints the same 64 characters for it.",
        "",
    ]
    return "\n".join(lines)


def authority(organisation: str, title: str = "Statement of Work") -> str:
    """The tick's words: shown on the acceptance form, quoted in the record."""
    return f"I may accept this {title} on behalf of {organisation}"


def run_record(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Render the record, store it, and queue its email to the customer, in one transaction."""
    from sow_prefill.export import DocumentTooLarge, export

    acceptance = db.get(Acceptance, int(payload["acceptance_id"]), with_for_update=True)
    if acceptance is None:
        raise jobs.PermanentFailure("the acceptance no longer exists")
    if acceptance.record_stored_name:
        return  # made already
    engagement = db.get(Engagement, acceptance.engagement_id)
    assert engagement is not None  # the acceptance's foreign key
    title = f"Acceptance of the {of_revision(acceptance.revision).title}: {engagement.customer}"
    try:
        body = export(record_markdown(acceptance, engagement), title, "pdf")
    except DocumentTooLarge as exc:
        raise jobs.PermanentFailure(str(exc)) from exc
    acceptance.record_stored_name = _store(context.settings, body)
    _queue_confirmation(context, db, acceptance, engagement)


def _store(settings: Settings, body: bytes) -> str:
    folder = settings.export_dir
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.pdf"
    partial = folder / f"{name}.part"
    partial.write_bytes(body)
    partial.replace(folder / name)
    return name


def _queue_confirmation(
    context: Context, db: Session, acceptance: Acceptance, engagement: Engagement
) -> None:
    """To whom the document was sent (they accepted it through that email's link)."""
    kind = of_revision(acceptance.revision)
    recipient = sent_to(db, engagement.id, kind)
    link = acceptance.review_link_id
    if recipient is None or acceptance.record_stored_name is None:
        return  # sent outside the product's email: nobody to confirm to
    engineer_name, engineer_email = sender_of(db, _sender(db, acceptance), context)
    attachment = mail.Attachment(
        "exports", acceptance.record_stored_name,
        record_name(engagement.customer, acceptance.revision.number, kind), "application/pdf",
    )  # fmt: skip
    try:
        mail.queue(
            db, context, template=kind.confirmed_template, to=[recipient],
            attachments=[attachment],
            actor=f"customer:review:{link}", engagement_id=engagement.id,
            reply_to=engineer_email,
            values={
                "contact_name": recipient[0] or acceptance.full_name,
                "organisation": engagement.customer, "revision": acceptance.revision.number,
                "full_name": acceptance.full_name,
                "accepted_at": day_and_time(acceptance.accepted_at),
                "document_name": acceptance.document_name,
                "document_sha256": acceptance.document_sha256,
                "engineer_name": engineer_name, "engineer_email": engineer_email,
            },
        )  # fmt: skip
    except (email_templates.MissingValue, email_templates.TemplateProblem, mail.InvalidAddress,
            mail.AttachmentUnavailable) as exc:  # fmt: skip
        raise jobs.PermanentFailure(f"the confirmation email could not be made: {exc}") from exc


def _sender(db: Session, acceptance: Acceptance) -> str:
    link = db.get(ReviewLink, acceptance.review_link_id) if acceptance.review_link_id else None
    return link.created_by if link else ""


def record_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    acceptance = db.get(Acceptance, int(payload["acceptance_id"]))
    if acceptance is not None:
        kind = of_revision(acceptance.revision)
        audit.record(db, "recorder", kind.action("acceptance_record_failed"),
                     engagement_id=acceptance.engagement_id, error=message)  # fmt: skip


def find_record(settings: Settings, acceptance: Acceptance, customer: str) -> exports.Ready | None:
    """The stored record to serve (``None`` while the worker makes it). Reads only."""
    if not acceptance.record_stored_name:
        return None
    name = record_name(customer, acceptance.revision.number, of_revision(acceptance.revision))
    return exports.Ready(
        settings.export_dir / acceptance.record_stored_name, "application/pdf", name
    )


def engineer_record(
    settings: Settings, db: Session, engagement_id: int, kind: DocumentKind = SOW
) -> exports.Ready | None:
    """The record of the acceptance of the engagement's ``kind`` of document for the engineers'
    download; ``NotFound`` when it has none, ``None`` while the worker makes it."""
    engagement = sow_desk.engagement(db, engagement_id)
    draft = kind.find_draft(db, engagement)
    acceptance = acceptance_of(db, draft.id) if draft is not None else None
    if acceptance is None:
        raise sow_desk.NotFound(f"The customer has not accepted this {kind.title}.")
    return find_record(settings, acceptance, engagement.customer)
