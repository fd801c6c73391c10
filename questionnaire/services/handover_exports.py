"""Exports of an issued customer handover document: rendered by the worker through the SoW's
pipeline (``exports.render_to_storage``), once per document and format, then served from
storage; their states read as the SoW's and the PDR's (``exports.states_of``). Markdown needs no
rendering: it is the document's own text, kept when it was issued.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.handover import HandoverDocument, HandoverExport
from questionnaire.store.models import ExportStatus, utcnow

from . import jobs
from .context import Context
from .exports import MEDIA_TYPES, RENDERED, Inline, NotReady, Ready, render_to_storage, states_of
from .settings import Settings

EXPORT_JOB = "handover.export"


def title_of(customer: str, project: str | None) -> str:
    return f"Customer handover document for {customer}{f': {project}' if project else ''}"


def queue_all(db: Session, document: HandoverDocument) -> None:
    """Queue every rendered format of a newly issued document (in the caller's transaction)."""
    for fmt in RENDERED:
        try:
            with db.begin_nested():
                db.add(HandoverExport(document_id=document.id, format=fmt))
        except IntegrityError:
            continue  # queued already
        jobs.enqueue(db, EXPORT_JOB, {"document_id": document.id, "format": fmt},
                     dedupe_key=f"{EXPORT_JOB}:{document.id}:{fmt}", max_attempts=3)  # fmt: skip


def find(
    settings: Settings, db: Session, document: HandoverDocument, fmt: str
) -> Ready | Inline | NotReady:
    """The export to serve for a download. Reads only: a GET may call it."""
    customer = re.sub(r"[^A-Za-z0-9]+", "-", document.engagement.customer).strip("-")[:60]
    filename = f"Handover-{customer or 'customer'}-{document.number}.{fmt}"
    if fmt == "md":
        return Inline(document.markdown.encode("utf-8"), MEDIA_TYPES[fmt], filename)
    row = _export(db, document.id, fmt)
    if row is not None and row.status is ExportStatus.READY and row.stored_name:
        return Ready(settings.export_dir / row.stored_name, MEDIA_TYPES[fmt], filename)
    return NotReady(row.status, row.error) if row is not None else NotReady(None)


def states(db: Session, document_ids: list[int]) -> dict[int, dict[str, NotReady | None]]:
    """Each document's rendered formats' states (``None``: ready to download)."""
    rows = db.scalars(select(HandoverExport).where(HandoverExport.document_id.in_(document_ids)))
    by_document: dict[int, dict[str, HandoverExport]] = {key: {} for key in document_ids}
    for row in rows:
        by_document[row.document_id][row.format] = row
    return {key: states_of(found) for key, found in by_document.items()}


def _export(db: Session, document_id: int, fmt: str) -> HandoverExport | None:
    return db.scalars(
        select(HandoverExport).where(
            HandoverExport.document_id == document_id, HandoverExport.format == fmt
        )
    ).first()


# -- the worker's side ---------------------------------------------------------------------------


def run_render(context: Context, db: Session, payload: dict[str, Any]) -> None:
    row = _export(db, int(payload["document_id"]), str(payload["format"]))
    if row is None:
        raise jobs.PermanentFailure("the export was not found")
    document = row.document
    title = title_of(document.engagement.customer, document.engagement.project)
    name, size = render_to_storage(context, document.markdown, title, row.format, "handover-")
    row.stored_name, row.size, row.error = name, size, None
    row.status, row.ready_at = ExportStatus.READY, utcnow()


def render_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    row = _export(db, int(payload["document_id"]), str(payload["format"]))
    if row is not None:
        row.status, row.error = ExportStatus.FAILED, message
