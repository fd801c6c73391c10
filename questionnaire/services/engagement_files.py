"""Files attached to an engagement: support downloads, logs, screenshots, documents.

Checked as questionnaire uploads are (``services/uploads.py``: the size-limited copy to a staging
name, judged by content, the customer's name kept as data only) against their own kinds and size
limit (``ENGAGEMENT_FILE_MAX_MB``). Other use cases that take a file with their own change (a
functional test's evidence) use the three building blocks: :func:`stage_file` before anything
is recorded, :func:`keep_file` in their transaction, and :func:`discard` on every path that does
not commit. :func:`attach` and :func:`remove` are the engineers' own use cases on the Files page.
How long files are kept is ``services/retention.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from questionnaire.store.files import EngagementFile, FileSource
from questionnaire.store.models import utcnow

from . import audit
from .filetypes import safe_display_name
from .settings import Settings
from .sow_desk import NotFound, engagement
from .uploads import (
    FileError,
    IncomingFile,
    kinds_message,
    limit_message,
    receive,
    staging_path,
)

#: What an engagement file may be, judged by its content: documents, screenshots, logs and the
#: load balancer's support downloads (ZIP or .tar.gz archives).
ACCEPTED_KINDS = ("pdf", "png", "jpeg", "gif", "txt", "csv", "zip", "targz")
MAX_DESCRIPTION = 500
ATTACH_ACTION, REMOVE_ACTION = "files.attach", "files.remove"

__all__ = [
    "ACCEPTED_KINDS",
    "AttachForm",
    "FileError",
    "IncomingFile",
    "InvalidAttachment",
    "StagedFile",
    "attach",
    "discard",
    "file_of",
    "files_of",
    "keep_file",
    "path_of",
    "remove",
    "stage_file",
]


@dataclass(frozen=True)
class StagedFile:
    """A checked file at its staging name; nothing is recorded until :func:`keep_file`."""

    storage_id: str
    name: str
    kind: str
    size: int
    sha256: str
    staging: Path
    destination: Path


def stage_file(settings: Settings, incoming: IncomingFile) -> StagedFile | FileError:
    """Stream ``incoming`` to a staging file and check its size and kind by content."""
    limit_mb = settings.engagement_file_max_mb
    received = receive(settings, incoming, limit_mb * 1024 * 1024)
    staging = staging_path(settings, received.storage_id)
    problem: FileError | None = None
    if received.size is None:
        problem = FileError(limit_message(limit_mb), too_large=True)
    elif received.size == 0:
        problem = FileError("The selected file is empty")
    elif received.kind not in ACCEPTED_KINDS:
        problem = FileError(kinds_message(ACCEPTED_KINDS))
    if problem is not None:
        staging.unlink(missing_ok=True)
        return problem
    assert received.size is not None and received.kind is not None
    return StagedFile(
        storage_id=received.storage_id,
        name=safe_display_name(incoming.filename or ""),
        kind=received.kind,
        size=received.size,
        sha256=received.sha256,
        staging=staging,
        destination=settings.upload_dir / received.storage_id,
    )


def keep_file(
    db: Session,
    engagement_id: int,
    staged: StagedFile,
    *,
    actor: str,
    source: FileSource | str,
    description: str = "",
) -> EngagementFile:
    """Make ``staged`` one of the engagement's files: the row in ``db``'s transaction, and the
    file moved to its storage name. Does not commit: the caller's use case commits, or calls
    :func:`discard` (which also removes the moved file)."""
    staged.staging.replace(staged.destination)
    row = EngagementFile(
        id=staged.storage_id,
        engagement_id=engagement_id,
        original_name=staged.name,
        kind=staged.kind,
        size=staged.size,
        sha256=staged.sha256,
        source=FileSource(source).value,
        description=description.strip() or None,
        uploaded_by=actor,
        created_at=utcnow(),
    )
    db.add(row)
    return row


def discard(settings: Settings, staged: StagedFile) -> None:
    """Remove a staged file that will not be kept (whether or not :func:`keep_file` moved it)."""
    staging_path(settings, staged.storage_id).unlink(missing_ok=True)
    (settings.upload_dir / staged.storage_id).unlink(missing_ok=True)


def path_of(settings: Settings, file: EngagementFile) -> Path:
    return settings.upload_dir / file.id


# -- The engineers' use cases -------------------------------------------------------------------


@dataclass(frozen=True)
class AttachForm:
    """The "Add a file" form as posted: the file (``None`` if none was chosen), where it came
    from (``customer`` or ``engineer``) and an optional description."""

    file: IncomingFile | None
    source: str = ""
    description: str = ""


class InvalidAttachment(ValueError):
    """``errors``: a message per field (``file``, ``source``, ``description``), in form order."""

    def __init__(self, errors: dict[str, str], *, too_large: bool = False) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        #: The file was over the size limit (a 413 rather than a 400).
        self.too_large = too_large


def files_of(db: Session, engagement_id: int) -> list[EngagementFile]:
    """The engagement's files, oldest first."""
    engagement(db, engagement_id)
    statement = (
        select(EngagementFile)
        .where(EngagementFile.engagement_id == engagement_id)
        .order_by(EngagementFile.created_at, EngagementFile.id)
    )
    return list(db.scalars(statement).all())


def file_of(db: Session, engagement_id: int, file_id: str) -> EngagementFile:
    """One of the engagement's files (a file of another engagement is not found)."""
    found = db.get(EngagementFile, file_id) if len(file_id) == 32 else None
    if found is None or found.engagement_id != engagement_id:
        raise NotFound("There is no such file.")
    return found


def attach(
    db: Session, settings: Settings, engagement_id: int, form: AttachForm, actor: str
) -> EngagementFile:
    """An engineer attaches a file; commits, with an audit entry. :class:`InvalidAttachment`."""
    engagement(db, engagement_id)
    errors = _form_errors(form)
    staged: StagedFile | FileError | None = None
    if form.file is not None and not errors:
        staged = stage_file(settings, form.file)
        if isinstance(staged, FileError):
            errors["file"] = staged.message
    if errors or not isinstance(staged, StagedFile):
        too_large = isinstance(staged, FileError) and staged.too_large
        raise InvalidAttachment(_ordered(errors), too_large=too_large)
    try:
        row = keep_file(db, engagement_id, staged, actor=actor, source=form.source,
                        description=form.description)  # fmt: skip
        audit.record(db, actor, ATTACH_ACTION, engagement_id=engagement_id, file=row.id,
                     name=row.original_name, kind=row.kind, size=row.size, source=row.source)  # fmt: skip
        db.commit()
    except BaseException:
        db.rollback()
        discard(settings, staged)
        raise
    return row


def remove(db: Session, settings: Settings, engagement_id: int, file_id: str, actor: str) -> str:
    """An engineer deletes a file uploaded by mistake: row and content; commits, with an audit
    entry. Returns the file's name, for the confirmation."""
    row = file_of(db, engagement_id, file_id)
    name, path, size = row.original_name, path_of(settings, row), row.size
    # A delete by id, not of the loaded row: a second delete (another tab, the purge) that got
    # there first leaves nothing to delete, and is answered as not found rather than failing.
    gone = db.execute(delete(EngagementFile).where(EngagementFile.id == row.id))
    if cast(CursorResult[Any], gone).rowcount != 1:
        db.rollback()
        raise NotFound("There is no such file.")
    audit.record(db, actor, REMOVE_ACTION, engagement_id=engagement_id, file=file_id, name=name,
                 size=size)  # fmt: skip
    db.commit()
    path.unlink(missing_ok=True)
    return name


def _form_errors(form: AttachForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if form.file is None or not (form.file.filename or "").strip():
        errors["file"] = "Select a file"
    if form.source not in {source.value for source in FileSource}:
        errors["source"] = "Select where the file came from"
    if len(form.description.strip()) > MAX_DESCRIPTION:
        errors["description"] = f"Description must be {MAX_DESCRIPTION} characters or fewer"
    return errors


def _ordered(errors: dict[str, str]) -> dict[str, str]:
    return {name: errors[name] for name in ("file", "source", "description") if name in errors}
