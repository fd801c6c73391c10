"""Exports of a SoW revision: rendered once per revision and format by the worker, then served
from storage, so a download costs what a static file costs and a huge document can never hold
a web worker. Markdown needs no rendering: it is the revision's own text.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.delivery import PdrExport
from questionnaire.store.models import Export, ExportStatus, SowRevision, utcnow

from . import jobs
from .context import Context
from .document_kinds import of_revision
from .settings import Settings

EXPORT_JOB = "export.render"
#: Format -> media type; the rendered formats are made by the worker.
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RENDERED = ("pdf", "docx", "html")
NAMES = {"md": "Markdown", "html": "HTML", "pdf": "PDF", "docx": "Word (DOCX)"}


def queue_all(db: Session, revision: SowRevision) -> None:
    """Queue every rendered format of a new revision (in the caller's transaction)."""
    for fmt in RENDERED:
        queue(db, revision, fmt)


def queue(db: Session, revision: SowRevision, fmt: str, *, again: bool = False) -> None:
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
            db.add(Export(revision_id=revision.id, format=fmt, status=ExportStatus.QUEUED))
    except IntegrityError:
        return  # queued at the same moment by someone else
    jobs.enqueue(db, EXPORT_JOB, payload, dedupe_key=key, max_attempts=3)


def prepare(db: Session, revision: SowRevision, fmt: str) -> None:
    """An engineer asks for a format: one never queued (a revision from before exports) is
    queued, one that failed is tried again; commits."""
    queue(db, revision, fmt, again=True)
    db.commit()


# -- what a download finds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    path: Path
    media_type: str
    filename: str


@dataclass(frozen=True)
class Inline:
    body: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class NotReady:
    """Queued, failed (with why), or never asked for (``status`` None)."""

    status: ExportStatus | None
    error: str | None = None


def queue_again(
    db: Session, row: Export | PdrExport, job: str, payload: dict[str, Any], dedupe_key: str
) -> None:
    """Queue a failed export again (a person asked for it: "Try again"), in ``db``'s
    transaction; an export queued or made already stands. The row's status is changed by a
    guarded UPDATE, so two people trying again at once queue it once."""
    model = type(row)
    again = db.execute(
        update(model)
        .where(model.id == row.id, model.status == ExportStatus.FAILED)
        .values(status=ExportStatus.QUEUED, error=None)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], again).rowcount == 1:
        jobs.enqueue_again(db, job, payload, dedupe_key=dedupe_key, max_attempts=3)


def download_name(customer: str, number: int, fmt: str, stem: str = "SoW") -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", customer).strip("-")[:60] or "customer"
    return f"{stem}-{name}-r{number}.{fmt}"


def find(
    settings: Settings, db: Session, revision: SowRevision, customer: str, fmt: str
) -> Ready | Inline | NotReady:
    """The export to serve for a download. Reads only: a GET may call it."""
    filename = download_name(customer, revision.number, fmt, of_revision(revision).file_stem)
    if fmt == "md":
        from sow_prefill.export import to_markdown

        return Inline(
            to_markdown(revision.markdown, "").encode("utf-8"), MEDIA_TYPES[fmt], filename
        )
    export = _export(db, revision.id, fmt)
    if export is None:
        return NotReady(None)
    if export.status is ExportStatus.READY and export.stored_name:
        return Ready(settings.export_dir / export.stored_name, MEDIA_TYPES[fmt], filename)
    return NotReady(export.status, export.error)


def states(db: Session, revision: SowRevision) -> dict[str, NotReady | None]:
    """Each rendered format's state for the SoW page (``None``: ready to download)."""
    found = {
        e.format: e for e in db.scalars(select(Export).where(Export.revision_id == revision.id))
    }
    return states_of(found)


class _Rendered(Protocol):
    status: ExportStatus
    error: str | None


def states_of(found: Mapping[str, _Rendered]) -> dict[str, NotReady | None]:
    """Each rendered format's state, from its export row by format (``None``: ready); the
    SoW's and the PDR's exports alike."""
    result: dict[str, NotReady | None] = {}
    for fmt in RENDERED:
        export = found.get(fmt)
        ready = export is not None and export.status is ExportStatus.READY
        result[fmt] = None if ready else NotReady(
            export.status if export else None, export.error if export else None
        )  # fmt: skip
    return result


def _export(db: Session, revision_id: int, fmt: str) -> Export | None:
    return db.scalars(
        select(Export).where(Export.revision_id == revision_id, Export.format == fmt)
    ).first()


# -- the worker's side ---------------------------------------------------------------------------


def run_render(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Render one export and store it under a generated name (written whole, then renamed)."""
    export_row = _export(db, int(payload["revision_id"]), str(payload["format"]))
    if export_row is None:
        raise jobs.PermanentFailure("the export was not found")
    revision = export_row.revision
    title = str(revision.draft.prefill.get("title") or of_revision(revision).title)
    name, size = render_to_storage(context, revision.markdown, title, export_row.format)
    export_row.stored_name, export_row.size = name, size
    export_row.status = ExportStatus.READY
    export_row.error = None
    export_row.ready_at = utcnow()


def render_to_storage(
    context: Context, markdown: str, title: str, fmt: str, prefix: str = ""
) -> tuple[str, int]:
    """Render ``markdown`` as ``fmt`` into the export folder under a generated name (written
    whole, then renamed, so a reader never sees half a file); the name and the size. A document
    the exporters refuse fails the job for good, with their reason."""
    from sow_prefill.export import DocumentTooLarge, Format, export

    try:
        body = export(markdown, title, cast(Format, fmt))
    except DocumentTooLarge as exc:
        raise jobs.PermanentFailure(str(exc)) from exc
    folder = context.settings.export_dir
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}{secrets.token_hex(16)}.{fmt}"
    partial = folder / f"{name}.part"
    partial.write_bytes(body)
    partial.replace(folder / name)
    return name, len(body)


def render_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    export_row = _export(db, int(payload["revision_id"]), str(payload["format"]))
    if export_row is not None:
        export_row.status = ExportStatus.FAILED
        export_row.error = message
