"""Uploaded files: checked by content and size, stored under generated names outside any static
folder, recorded in the database. The customer's filename is kept only as data.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from questionnaire.engine import Questionnaire
from questionnaire.engine.model import FileQuestion, Question
from questionnaire.store.models import Response, Upload

from .filetypes import KIND_NAMES, safe_display_name, sniff

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileError:
    message: str
    too_large: bool = False


def accept_files(
    db: Session,
    q: Questionnaire,
    response: Response,
    questions: Iterable[Question],
    files: Mapping[str, FileStorage],
    posted: dict[str, Any],
) -> dict[str, FileError]:
    """Store each file posted for a visible file question; put its answer into ``posted``.

    A question with no new file keeps the file already stored for it.
    """
    errors: dict[str, FileError] = {}
    for question in questions:
        if not isinstance(question, FileQuestion):
            continue
        upload = files.get(question.id)
        if upload is None or not upload.filename:
            posted[question.id] = response.answers.get(question.id)
            continue
        result = store(db, response, question, upload)
        if isinstance(result, FileError):
            errors[question.id] = result
            posted[question.id] = response.answers.get(question.id)
        else:
            posted[question.id] = result
    return errors


def _limit_message(question: FileQuestion) -> str:
    size = f"{question.max_size_mb:g}"
    return f"The selected file must be smaller than {size} MB"


def _kinds_message(question: FileQuestion) -> str:
    names = [KIND_NAMES.get(kind, kind.upper()) for kind in question.accept]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"The selected file must be a {listed}"


def store(
    db: Session, response: Response, question: FileQuestion, upload: FileStorage
) -> dict[str, Any] | FileError:
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    upload_id = secrets.token_hex(16)
    target = folder / upload_id
    partial = folder / f"{upload_id}.part"
    limit = int(question.max_size_mb * 1024 * 1024)
    size, digest, head = _copy_limited(upload.stream, partial, limit)
    if size is None:
        partial.unlink(missing_ok=True)
        return FileError(_limit_message(question), too_large=True)
    if size == 0:
        partial.unlink(missing_ok=True)
        return FileError("The selected file is empty")
    used = db.execute(
        select(func.coalesce(func.sum(Upload.size), 0)).where(Upload.response_id == response.id)
    ).scalar_one()
    if used + size > int(current_app.config["UPLOAD_QUOTA_BYTES"]):
        partial.unlink(missing_ok=True)
        return FileError(
            "You have uploaded as much as we can accept: contact us to send more", too_large=True
        )
    kind = sniff(head, lambda: partial.open("rb"))
    if kind is None or kind not in question.accept:
        partial.unlink(missing_ok=True)
        return FileError(_kinds_message(question))
    partial.replace(target)
    name = safe_display_name(upload.filename or "")
    db.add(
        Upload(
            id=upload_id, response_id=response.id, question_id=question.id, original_name=name,
            kind=kind, size=size, sha256=digest,
        )
    )  # fmt: skip
    return {"id": upload_id, "name": name, "size": size, "kind": kind}


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


def path_of(upload: Upload) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / upload.id
