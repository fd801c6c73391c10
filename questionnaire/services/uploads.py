"""Uploaded files: checked by content and size, staged, and kept only with the answers' commit.

A file is streamed to a staging name first. It becomes an upload (a row, and a file under a
generated name outside any static folder) only in the transaction that saves the page's
answers; every path that does not commit discards it, and a sweep removes any file left
without a row (a process killed between the two). The customer's filename is kept as data only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from questionnaire.engine.model import FileQuestion
from questionnaire.store.files import EngagementFile
from questionnaire.store.models import Response, Upload, utcnow

from .filetypes import KIND_NAMES, safe_display_name, sniff
from .settings import Settings

CHUNK = 64 * 1024
STAGING = "staging"


class IncomingFile(Protocol):
    """A file as the web layer received it (werkzeug's FileStorage has this shape)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def stream(self) -> IO[bytes]: ...


@dataclass(frozen=True)
class FileError:
    message: str
    too_large: bool = False


@dataclass(frozen=True)
class StagedFile:
    question_id: str
    upload_id: str
    name: str
    kind: str
    size: int
    sha256: str

    def answer(self) -> dict[str, Any]:
        return {"id": self.upload_id, "name": self.name, "size": self.size, "kind": self.kind}


def staging_path(settings: Settings, upload_id: str) -> Path:
    return settings.upload_dir / STAGING / f"{upload_id}.part"


def path_of(settings: Settings, upload: Upload) -> Path:
    return settings.upload_dir / upload.id


def stage(
    settings: Settings,
    db: Session,
    response: Response,
    question: FileQuestion,
    incoming: IncomingFile,
    already_staged: int = 0,
) -> StagedFile | FileError:
    """Stream ``incoming`` to a staging file and check it; nothing is recorded yet."""
    received = receive(settings, incoming, int(question.max_size_mb * 1024 * 1024))
    problem = _problem(settings, db, response, question, received.size, already_staged)
    if problem is None and (received.kind is None or received.kind not in question.accept):
        problem = FileError(kinds_message(question.accept))
    if problem is not None:
        staging_path(settings, received.storage_id).unlink(missing_ok=True)
        return problem
    assert received.size is not None and received.kind is not None
    name = safe_display_name(incoming.filename or "")
    return StagedFile(
        question.id, received.storage_id, name, received.kind, received.size, received.sha256
    )


@dataclass(frozen=True)
class Received:
    """A file streamed to its staging name: ``size`` is ``None`` when it was over the limit (the
    copy stopped there), ``kind`` is ``None`` when its content is not a kind we accept at all."""

    storage_id: str
    size: int | None
    sha256: str
    kind: str | None


def receive(settings: Settings, incoming: IncomingFile, limit: int) -> Received:
    """Stream ``incoming`` to a staging file under a new random name, at most ``limit`` bytes, and
    judge its kind by content. The caller decides, and removes the staging file if it refuses."""
    storage_id = secrets.token_hex(16)
    partial = staging_path(settings, storage_id)
    partial.parent.mkdir(parents=True, exist_ok=True)
    size, digest, head = _copy_limited(incoming.stream, partial, limit)
    kind = sniff(head, lambda: partial.open("rb")) if size else None
    return Received(storage_id, size, digest, kind)


def _problem(
    settings: Settings,
    db: Session,
    response: Response,
    question: FileQuestion,
    size: int | None,
    already_staged: int,
) -> FileError | None:
    if size is None:
        return FileError(limit_message(question.max_size_mb), too_large=True)
    if size == 0:
        return FileError("The selected file is empty")
    used = db.execute(
        select(func.coalesce(func.sum(Upload.size), 0)).where(Upload.response_id == response.id)
    ).scalar_one()
    if used + already_staged + size > settings.upload_quota_bytes:
        return FileError(
            "You have uploaded as much as we can accept: contact us to send more", too_large=True
        )
    return None


def keep(settings: Settings, db: Session, response: Response, staged: Iterable[StagedFile]) -> None:
    """Make staged files uploads in ``db``'s transaction (the caller commits, or discards)."""
    for file in staged:
        staging_path(settings, file.upload_id).replace(settings.upload_dir / file.upload_id)
        db.add(
            Upload(
                id=file.upload_id, response_id=response.id, question_id=file.question_id,
                original_name=file.name, kind=file.kind, size=file.size, sha256=file.sha256,
            )
        )  # fmt: skip


def discard(settings: Settings, staged: Iterable[StagedFile]) -> None:
    """Remove staged files that will not be kept (whether or not :func:`keep` moved them)."""
    for file in staged:
        staging_path(settings, file.upload_id).unlink(missing_ok=True)
        (settings.upload_dir / file.upload_id).unlink(missing_ok=True)


def forget_replaced(
    settings: Settings, db: Session, response: Response, kept_ids: set[str]
) -> list[Path]:
    """Delete the rows of this response's uploads no answer names any more (replaced files);
    returns their files, to remove once the transaction has committed."""
    replaced = db.scalars(
        select(Upload).where(Upload.response_id == response.id, Upload.id.not_in(kept_ids))
    ).all()
    paths = [path_of(settings, upload) for upload in replaced]
    if replaced:
        db.execute(delete(Upload).where(Upload.id.in_([u.id for u in replaced])))
    return paths


def sweep(settings: Settings, db: Session, older_than: timedelta = timedelta(hours=1)) -> int:
    """Remove files with no upload row (and staged files older than ``older_than``)."""
    cutoff = (utcnow() - older_than).timestamp()
    # Engagement files share the folder (services/engagement_files.py): theirs are known too.
    known = set(db.scalars(select(Upload.id)).all())
    known.update(db.scalars(select(EngagementFile.id)).all())
    removed = 0
    folder = settings.upload_dir
    candidates = [*folder.glob("*"), *(folder / STAGING).glob("*.part")]
    for path in candidates:
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.parent.name == STAGING or path.name not in known:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def limit_message(max_size_mb: float) -> str:
    return f"The selected file must be smaller than {max_size_mb:g} MB"


def kinds_message(accept: Sequence[str]) -> str:
    """``The selected file must be a PDF, PNG image or JPEG image``."""
    names = [KIND_NAMES.get(kind, kind.upper()) for kind in accept]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"The selected file must be a {listed}"


def _copy_limited(stream: IO[bytes], path: Path, limit: int) -> tuple[int | None, str, bytes]:
    """Copy ``stream`` to ``path``; ``None`` as the size when it is over ``limit`` bytes."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                return None, "", b""
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest(), head


SWEEP_JOB = "uploads.sweep"


def run_sweep(context: Any, db: Session, payload: dict[str, Any]) -> None:
    """The worker's daily job: files that no upload row names are removed."""
    sweep(context.settings, db)


def sweep_gave_up(context: Any, db: Session, payload: dict[str, Any], message: str) -> None:
    """Nobody waits for a sweep: tomorrow's runs again."""
