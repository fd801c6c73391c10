"""Responses: start, save answers, submit once. Every write is a guarded UPDATE.

Saves name the version they read (optimistic locking) and only touch a draft, so a stale tab
gets a conflict instead of overwriting newer answers, and nothing changes after submission.
Submission is an atomic ``UPDATE ... WHERE status = 'draft'``: under any race exactly one wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from questionnaire.engine import FlowResult, Questionnaire
from questionnaire.store.models import Link, Response, ResponseStatus, utcnow

from . import audit, board, engagements, prefill_answers, uploads, validation_records
from .definitions import DefinitionRegistry
from .settings import Settings
from .validation_ids import VALIDATION


class Conflict(Exception):
    """The response changed since the page was shown (another tab or device saved first)."""


class AlreadySubmitted(Exception):
    """The response was submitted: it accepts no change."""


def start(
    db: Session, registry: DefinitionRegistry, link: Link, q: Questionnaire, actor: str
) -> Response:
    """The link's response, created now; a concurrent first start gets the one that won."""
    for _ in range(2):  # a lost race on the pinned definition's row is tried once more
        try:
            return _create(db, registry, link, q, actor)
        except IntegrityError:
            db.rollback()
            existing = _existing(db, link)
            if existing is not None:
                return existing
    raise Conflict


def _create(
    db: Session, registry: DefinitionRegistry, link: Link, q: Questionnaire, actor: str
) -> Response:
    pinned = registry.pinned(db, q)
    # The records its groups are given (the PDR's virtual services) are taken now, once.
    given = validation_records.starting_records_for(db, link.engagement_id, q)
    response = Response(
        engagement_id=link.engagement_id, definition_id=link.definition_id,
        definition_sha256=pinned.sha256, version=1,
        answers={**prefill_answers.starting_answers_for(link.engagement, q), **given},
    )  # fmt: skip
    db.add(response)
    db.flush()
    if response.definition_id != VALIDATION:  # the list's stage follows the discovery's
        engagements.note_response_started(db, link.engagement_id)
    audit.record(
        db, actor, "response.start", engagement_id=link.engagement_id, response_id=response.id,
        definition=q.id, version=q.version,
    )  # fmt: skip
    prefill_answers.record(db, response, q, actor)
    db.commit()
    return response


def _existing(db: Session, link: Link) -> Response | None:
    return db.execute(
        select(Response).where(
            Response.engagement_id == link.engagement_id,
            Response.definition_id == link.definition_id,
        )
    ).scalar_one_or_none()


def save_answers(
    db: Session,
    settings: Settings,
    response: Response,
    expected_version: int,
    answers: Mapping[str, Any],
    files: Iterable[uploads.StagedFile],
    actor: str,
    action: str,
    **detail: Any,
) -> bool:
    """Store ``answers`` (and the staged files they name) if ``expected_version`` still holds.

    Returns whether anything changed. The files are kept only if the answers commit; on a
    conflict or any failure they are removed.
    """
    files = list(files)
    try:
        return _save(
            db, settings, response, expected_version, answers, files, actor, action, detail
        )
    except BaseException:
        uploads.discard(settings, files)
        raise


def _save(
    db: Session,
    settings: Settings,
    response: Response,
    expected_version: int,
    answers: Mapping[str, Any],
    files: list[uploads.StagedFile],
    actor: str,
    action: str,
    detail: dict[str, Any],
) -> bool:
    if response.status is not ResponseStatus.DRAFT:
        raise AlreadySubmitted
    if response.version != expected_version:
        raise Conflict
    stored = dict(answers)
    if stored == response.answers and not files:
        return False
    named_before = file_ids(response.answers)
    now = utcnow()
    changed = _guarded_update(db, response, expected_version, answers=stored, updated_at=now)
    if changed != 1:
        db.rollback()
        db.refresh(response)
        raise AlreadySubmitted if response.status is not ResponseStatus.DRAFT else Conflict
    uploads.keep(settings, db, response, files)
    named = file_ids(stored)
    # Only a save that changes which files the answers name can have replaced one.
    replaced = (
        uploads.forget_replaced(settings, db, response, named)
        if files or named != named_before
        else []
    )
    audit.record(
        db, actor, action, engagement_id=response.engagement_id, response_id=response.id, **detail
    )
    db.commit()
    # The row is what the guarded update wrote: set it on the object rather than read it back.
    for key, value in (("version", expected_version + 1), ("answers", stored), ("updated_at", now)):
        set_committed_value(response, key, value)
    _remove(replaced)
    return True


def file_ids(answers: Mapping[str, Any]) -> set[str]:
    """The ids of every uploaded file the answers name (file answers are ``{"id": ...}``)."""
    found: set[str] = set()
    stack: list[Any] = list(answers.values())
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and "kind" in value:
                found.add(value["id"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _guarded_update(db: Session, response: Response, version: int, **values: Any) -> int:
    """``UPDATE ... WHERE version = :read AND status = 'draft'``: the row count says who won."""
    result = db.execute(
        update(Response)
        .where(
            Response.id == response.id,
            Response.version == version,
            Response.status == ResponseStatus.DRAFT,
        )
        .values(version=Response.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def submit(
    db: Session,
    response: Response,
    version: int,
    flow: FlowResult,
    actor: str,
    after: Callable[[Session, Response], None],
) -> None:
    """Submit once; ``flow`` is the flow of the stored answers at ``version``.

    Raises :class:`AlreadySubmitted`, or :class:`Conflict` when the answers changed since the
    review was shown or are incomplete. ``after`` adds to the same transaction (the SoW job).
    """
    if response.status is not ResponseStatus.DRAFT:
        raise AlreadySubmitted
    if response.version != version or not flow.complete:
        raise Conflict
    now = utcnow()
    changed = _guarded_update(
        db, response, version, status=ResponseStatus.SUBMITTED, submitted_at=now, updated_at=now
    )
    if changed != 1:
        db.rollback()
        db.refresh(response)
        raise AlreadySubmitted if response.status is not ResponseStatus.DRAFT else Conflict
    if response.definition_id != VALIDATION:  # the list's stage follows the discovery's
        engagements.note_submitted(db, response.engagement_id)
        board.note_submitted(db, response.engagement_id)  # Discovery moves to Statement of Work
    audit.record(
        db, actor, "response.submit", engagement_id=response.engagement_id, response_id=response.id,
        dropped=[d.as_json() for d in flow.dropped],
    )  # fmt: skip
    after(db, response)
    db.commit()
    db.refresh(response)
