"""Responses: start, save a page or a record, submit once. Every write is a guarded UPDATE.

Saves name the version they read (optimistic locking) and only touch a draft, so a stale tab
gets a conflict instead of overwriting newer answers, and nothing changes after submission.
Submission is an atomic ``UPDATE ... WHERE status = 'draft'``: under any race exactly one wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from questionnaire.engine import (
    FlowResult,
    PageSubmission,
    Questionnaire,
    evaluate,
    remove_record,
    submit_page,
    submit_record,
)
from questionnaire.store.models import Link, Response, ResponseStatus, utcnow

from . import audit
from .definitions import DefinitionRegistry


class Conflict(Exception):
    """The response changed since the page was shown (another tab or device saved first)."""


class AlreadySubmitted(Exception):
    """The response was submitted: it accepts no change."""


class DefinitionUnavailable(Exception):
    """The link's questionnaire is not loaded (missing or broken definition file)."""


@dataclass(frozen=True)
class Opened:
    """A link's response (``None`` until the customer starts) and the questionnaire it uses."""

    questionnaire: Questionnaire
    response: Response | None


def open_response(db: Session, registry: DefinitionRegistry, link: Link) -> Opened:
    # The link's engagement and responses are loaded with it (see links.resolve).
    response = next(
        (r for r in link.engagement.responses if r.definition_id == link.definition_id), None
    )
    if response is not None:
        return Opened(registry.by_hash(db, response.definition_sha256), response)
    current = registry.current.get(link.definition_id)
    if current is None:
        raise DefinitionUnavailable(link.definition_id)
    return Opened(current, None)


def start(db: Session, registry: DefinitionRegistry, link: Link, actor: str) -> Response:
    """The link's response, created on the customer's first POST (a GET never creates it)."""
    opened = open_response(db, registry, link)
    if opened.response is not None:
        return opened.response
    pinned = registry.pinned(db, opened.questionnaire)
    response = Response(
        engagement_id=link.engagement_id,
        definition_id=link.definition_id,
        definition_sha256=pinned.sha256,
        answers={},
        version=1,
    )
    db.add(response)
    db.flush()
    audit.record(
        db, actor, "response.start", engagement_id=link.engagement_id, response_id=response.id,
        definition=opened.questionnaire.id, version=opened.questionnaire.version,
    )  # fmt: skip
    db.commit()
    return response


def flow_of(
    questionnaire: Questionnaire, response: Response | None, until: str | None = None
) -> FlowResult:
    """The flow of the stored answers (parsed when they were saved, so trusted)."""
    return evaluate(questionnaire, response.answers if response else {}, until=until, trusted=True)


def _save(
    db: Session,
    response: Response,
    expected_version: int,
    apply: Callable[[Mapping[str, Any]], PageSubmission],
    actor: str,
    action: str,
    **detail: Any,
) -> PageSubmission:
    """Apply a change computed from the stored answers, and store it if the version still holds."""
    if response.status is not ResponseStatus.DRAFT:
        raise AlreadySubmitted
    if response.version != expected_version:
        raise Conflict
    result = apply(response.answers)
    if result.answers == response.answers:
        return result
    changed = _guarded_update(
        db, response, expected_version, answers=result.answers, updated_at=utcnow()
    )
    if changed != 1:
        db.rollback()
        db.refresh(response)
        raise AlreadySubmitted if response.status is not ResponseStatus.DRAFT else Conflict
    audit.record(
        db, actor, action, engagement_id=response.engagement_id, response_id=response.id, **detail
    )
    db.commit()
    db.refresh(response)
    return result


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


def save_page(
    db: Session,
    q: Questionnaire,
    response: Response,
    version: int,
    page: str,
    posted: Mapping[str, Any],
    actor: str,
) -> PageSubmission:
    return _save(
        db,
        response,
        version,
        lambda answers: submit_page(q, answers, page, posted, trusted=True),
        actor,
        "response.save",
        page=page,
    )


def save_record(
    db: Session,
    q: Questionnaire,
    response: Response,
    version: int,
    group: str,
    index: int | None,
    posted: Mapping[str, Any],
    actor: str,
) -> PageSubmission:
    return _save(
        db, response, version, lambda answers: submit_record(q, answers, group, index, posted, trusted=True), actor,
        "response.save_record", group=group, index=index,
    )  # fmt: skip


def delete_record(
    db: Session,
    q: Questionnaire,
    response: Response,
    version: int,
    group: str,
    index: int,
    actor: str,
) -> PageSubmission:
    def apply(answers: Mapping[str, Any]) -> PageSubmission:
        remaining = remove_record(answers, group, index)
        return PageSubmission(remaining, {}, evaluate(q, remaining, trusted=True))

    return _save(
        db, response, version, apply, actor, "response.remove_record", group=group, index=index
    )


def submit(
    db: Session, q: Questionnaire, response: Response, version: int, actor: str
) -> FlowResult:
    """Submit once. Raises :class:`AlreadySubmitted`, :class:`Conflict`, or returns the final flow.

    The caller checks that the flow is complete first; this re-checks it on the stored answers.
    """
    if response.status is not ResponseStatus.DRAFT:
        raise AlreadySubmitted
    flow = evaluate(q, response.answers, trusted=True)
    if not flow.complete:
        raise Conflict
    now = utcnow()
    changed = _guarded_update(
        db, response, version, status=ResponseStatus.SUBMITTED, submitted_at=now, updated_at=now
    )
    if changed != 1:
        db.rollback()
        db.refresh(response)
        raise AlreadySubmitted if response.status is not ResponseStatus.DRAFT else Conflict
    audit.record(
        db, actor, "response.submit", engagement_id=response.engagement_id, response_id=response.id,
        dropped=[d.as_json() for d in flow.dropped],
    )  # fmt: skip
    db.commit()
    db.refresh(response)
    return flow
