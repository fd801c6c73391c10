"""Exports of a PDR revision: made as the SoW's are (``services/exports.py``), by the worker
through ``sow_prefill``'s export pipeline, once per revision and format, then served from
storage. Markdown needs no rendering: it is made from the revision's content on request.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.delivery import to_markdown
from questionnaire.store.delivery import PdrExport, PdrRevision
from questionnaire.store.models import Engagement, ExportStatus, utcnow

from . import jobs
from .context import Context
from .exports import (
    MEDIA_TYPES,
    NAMES,
    RENDERED,
    Inline,
    NotReady,
    Ready,
    queue_again,
    render_to_storage,
    states_of,
)
from .settings import Settings

EXPORT_JOB = "pdr.export"
__all__ = ["EXPORT_JOB", "MEDIA_TYPES", "NAMES", "RENDERED", "Inline", "NotReady", "Ready"]


def title_of(engagement: Engagement) -> str:
    project = f": {engagement.project}" if engagement.project else ""
    return f"Project Detail Record for {engagement.customer}{project}"


def markdown_of(revision: PdrRevision) -> str:
    engagement = revision.pdr.engagement
    return to_markdown(revision.content, title_of(engagement), revision.number)


def queue_all(db: Session, revision: PdrRevision) -> None:
    """Queue every rendered format of a new revision (in the caller's transaction)."""
    for fmt in RENDERED:
        queue(db, revision, fmt)


def queue(db: Session, revision: PdrRevision, fmt: str, *, again: bool = False) -> None:
    """Queue one format, unless it is queued or made already; ``again``: one that failed is
    tried again (an engineer asked)."""
    payload = {"revision_id": revision.id, "format": fmt}
    key = f"{EXPORT_JOB}:{revision.id}:{fmt}"
    found = _export(db, revision.id, fmt)
    if found is not None:
        if again:
            queue_again(db, found, EXPORT_JOB, payload, key)
        return
    try:
        with db.begin_nested():
            db.add(PdrExport(revision_id=revision.id, format=fmt, status=ExportStatus.QUEUED))
    except IntegrityError:
        return  # queued at the same moment by someone else
    jobs.enqueue(db, EXPORT_JOB, payload, dedupe_key=key, max_attempts=3)


def prepare(db: Session, revision: PdrRevision, fmt: str) -> None:
    """An engineer asks for a format: queued if it never was, tried again if it failed (in the
    caller's transaction)."""
    queue(db, revision, fmt, again=True)


def download_name(customer: str, number: int, fmt: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", customer).strip("-")[:60] or "customer"
    return f"PDR-{name}-r{number}.{fmt}"


def find(
    settings: Settings, db: Session, revision: PdrRevision, fmt: str
) -> Ready | Inline | NotReady:
    """The export to serve for a download. Reads only: a GET may call it."""
    filename = download_name(revision.pdr.engagement.customer, revision.number, fmt)
    if fmt == "md":
        return Inline(markdown_of(revision).encode("utf-8"), MEDIA_TYPES[fmt], filename)
    export = _export(db, revision.id, fmt)
    if export is None:
        return NotReady(None)
    if export.status is ExportStatus.READY and export.stored_name:
        return Ready(settings.export_dir / export.stored_name, MEDIA_TYPES[fmt], filename)
    return NotReady(export.status, export.error)


def states(db: Session, revision: PdrRevision) -> dict[str, NotReady | None]:
    """Each rendered format's state for the PDR page (``None``: ready to download)."""
    found = {
        e.format: e
        for e in db.scalars(select(PdrExport).where(PdrExport.revision_id == revision.id))
    }
    return states_of(found)


def _export(db: Session, revision_id: int, fmt: str) -> PdrExport | None:
    return db.scalars(
        select(PdrExport).where(PdrExport.revision_id == revision_id, PdrExport.format == fmt)
    ).first()


# -- the worker's side ---------------------------------------------------------------------------


def run_render(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Render one export and store it (the SoW's way: ``exports.render_to_storage``)."""
    row = _export(db, int(payload["revision_id"]), str(payload["format"]))
    if row is None:
        raise jobs.PermanentFailure("the export was not found")
    revision = row.revision
    title = title_of(revision.pdr.engagement)
    name, size = render_to_storage(context, markdown_of(revision), title, row.format, "pdr-")
    row.stored_name, row.size, row.error = name, size, None
    row.status = ExportStatus.READY
    row.ready_at = utcnow()


def render_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    row = _export(db, int(payload["revision_id"]), str(payload["format"]))
    if row is not None:
        row.status = ExportStatus.FAILED
        row.error = message
