"""The support handover document: made by the worker when the engagement completes.

Its text is ``templates/documents/support_handover.md`` rendered in the SoW templates' sandbox
(every value escaped for Markdown) with what :mod:`closeout_facts` reads; it is rendered to PDF
and DOCX once, with the exports' pipeline (``exports.render_to_storage``), and served from
storage; Markdown is made on request. Once the document is made (or could not be), the job
queues the completion summary email, in the same transaction: it goes once, with the PDF.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.delivery.pdr_markdown import configuration
from questionnaire.engine import FlowResult, ShownQuestion
from questionnaire.engine.answers import display
from questionnaire.store.closeout import SupportHandoverExport
from questionnaire.store.models import ExportStatus, utcnow
from sow_prefill import sandbox
from sow_prefill.markdown_text import MarkdownText
from sow_prefill.sandbox import make_environment

from . import completion_summary, jobs
from .closeout_facts import Facts, facts_of, requirements
from .context import Context
from .exports import MEDIA_TYPES, Inline, NotReady, Ready, render_to_storage, states_of
from .settings import Settings
from .support_notes import FIELDS, LABELS

__all__ = ["DOCUMENT_JOB", "DOWNLOADS", "Inline", "NotReady", "Ready", "find", "queue", "states"]

DOCUMENT_JOB = "closeout.support_document"
TEMPLATE = "support_handover.md"
FORMATS = ("pdf", "docx")
DOWNLOADS = ("pdf", "docx", "md")


def title_of(facts: Facts) -> str:
    project = f", {facts.engagement.project}" if facts.engagement.project else ""
    return f"Support handover: {facts.engagement.customer}{project}"


def download_name(customer: str, fmt: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", customer).strip("-")[:60] or "customer"
    return f"Support-handover-{name}.{fmt}"


def queue(db: Session, engagement_id: int) -> None:
    """Queue the document's formats, and the one job that makes them (caller's transaction)."""
    for fmt in FORMATS:
        try:
            with db.begin_nested():
                db.add(SupportHandoverExport(engagement_id=engagement_id, format=fmt))
        except IntegrityError:
            return  # queued already: a completion happens once
    jobs.enqueue(db, DOCUMENT_JOB, {"engagement_id": engagement_id},
                 dedupe_key=f"{DOCUMENT_JOB}:{engagement_id}", max_attempts=3)  # fmt: skip


def markdown_of(db: Session, context: Context, engagement_id: int) -> str:
    facts = facts_of(db, engagement_id)
    path = context.settings.closeout.documents_dir / TEMPLATE
    values = _values(facts, requirements(db, context, engagement_id))
    return sandbox.render(make_environment(), path.read_text(encoding="utf-8"), values, str(path))


def _values(facts: Facts, answers: FlowResult | None) -> dict[str, Any]:
    engagement = facts.engagement
    contact = ", ".join(
        v
        for v in (engagement.contact_name, engagement.contact_email, engagement.contact_phone)
        if v
    )
    return {
        "customer": engagement.customer, "project": engagement.project,
        "engagement_id": engagement.id, "contact": contact, "engineer": facts.engineer,
        "sales_name": facts.sales.name if facts.sales else engagement.created_by,
        "handed_over": engagement.created_at.strftime("%-d %B %Y"),
        "completed": facts.completed_at.strftime("%-d %B %Y") if facts.completed_at else "",
        "accepted_by": facts.completion.accepted_by if facts.completion else None,
        "days_sold": _days(facts.days_sold), "days_used": _days(facts.days_used),
        "sessions": [
            {"held_on": s.held_on.strftime("%-d %b %Y"), "engineer": s.engineer_name,
             "days": _days(s.days_used) or "Not recorded", "notes": s.notes,
             "complete": "Yes" if s.complete else "No"}
            for s in facts.sessions
        ],
        "notes": [
            {"label": LABELS[name], "lines": _lines(getattr(facts.notes, name, ""))}
            for name in FIELDS
        ],
        "requirements": _requirements(answers), "tests": facts.tests,
        "pdr_revision": facts.pdr_revision,
        "configuration": MarkdownText(_demoted(configuration(facts.pdr_content))),
    }  # fmt: skip


def _days(value: float | None) -> str:
    """``1.5``; as Markdown already (digits and a point need no escaping)."""
    return MarkdownText("" if value is None else f"{value:g}")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _demoted(lines: list[str]) -> str:
    """The PDR's headings one level down, under "The configuration as built"."""
    return "\n".join(f"#{line}" if line.startswith("#") else line for line in lines)


def _requirements(flow: FlowResult | None) -> list[dict[str, Any]]:
    if flow is None:
        return []
    pages = []
    for page_id in flow.path:
        state = flow.pages[page_id]
        answers = [_answer(shown) for shown in state.questions]
        shown = [answer for answer in answers if answer is not None]
        if shown:
            pages.append({"title": state.title, "answers": shown})
    return pages


def _answer(shown: ShownQuestion) -> dict[str, str] | None:
    label = shown.label if shown.label.endswith("?") else f"{shown.label}:"
    if shown.records:
        items = [
            "; ".join(
                f"{f.label} {display(f.question, f.value)}" for f in record if f.value is not None
            )
            for record in shown.records
        ]
        return {"label": label, "value": " | ".join(items)}
    if shown.value is None:
        return None
    return {"label": label, "value": display(shown.question, shown.value)}


# -- downloads ---------------------------------------------------------------------------------


def find(
    settings: Settings, db: Session, context: Context, engagement_id: int, fmt: str
) -> Ready | Inline | NotReady:
    """The document to serve. Reads only: a GET may call it. ``NotFound`` for no engagement."""
    facts = facts_of(db, engagement_id)
    filename = download_name(facts.engagement.customer, fmt)
    if facts.completion is None:
        return NotReady(None)
    if fmt == "md":
        body = markdown_of(db, context, engagement_id).encode("utf-8")
        return Inline(body, MEDIA_TYPES[fmt], filename)
    row = _export(db, engagement_id, fmt)
    if row is None:
        return NotReady(None)
    if row.status is ExportStatus.READY and row.stored_name:
        return Ready(settings.export_dir / row.stored_name, MEDIA_TYPES[fmt], filename)
    return NotReady(row.status, row.error)


def states(db: Session, engagement_id: int) -> dict[str, NotReady | None]:
    found = {
        row.format: row
        for row in db.scalars(
            select(SupportHandoverExport).where(
                SupportHandoverExport.engagement_id == engagement_id
            )
        )
    }
    return {fmt: state for fmt, state in states_of(found).items() if fmt in FORMATS}


def _export(db: Session, engagement_id: int, fmt: str) -> SupportHandoverExport | None:
    return db.scalars(
        select(SupportHandoverExport).where(
            SupportHandoverExport.engagement_id == engagement_id,
            SupportHandoverExport.format == fmt,
        )
    ).first()


# -- the worker's side ---------------------------------------------------------------------------


def run_render(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Render each format not made yet, then queue the completion summary email."""
    engagement_id = int(payload["engagement_id"])
    markdown = markdown_of(db, context, engagement_id)
    title = title_of(facts_of(db, engagement_id))
    for fmt in FORMATS:
        row = _export(db, engagement_id, fmt)
        if row is None or row.status is ExportStatus.READY:
            continue
        row.stored_name, row.size = render_to_storage(context, markdown, title, fmt, "support-")
        row.status, row.error, row.ready_at = ExportStatus.READY, None, utcnow()
    completion_summary.queue(db, context, engagement_id, _pdf(db, engagement_id))


def render_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """The document could not be made: say so on its rows, and send the summary without it."""
    engagement_id = int(payload["engagement_id"])
    for fmt in FORMATS:
        row = _export(db, engagement_id, fmt)
        if row is not None and row.status is not ExportStatus.READY:
            row.status, row.error = ExportStatus.FAILED, message
    completion_summary.queue(db, context, engagement_id, _pdf(db, engagement_id))


def _pdf(db: Session, engagement_id: int) -> SupportHandoverExport | None:
    row = _export(db, engagement_id, "pdf")
    return row if row is not None and row.status is ExportStatus.READY else None
