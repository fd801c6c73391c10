"""Statements of Work: pre-filled by the worker, revised by engineers, sent, and requested back.

Revisions are numbered per draft; saving names the revision it was edited from, and the
``(draft, number)`` uniqueness makes two engineers' simultaneous saves a conflict, not a loss.
Every new revision queues its exports, so a download serves a file rendered once.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.models import (
    Engagement,
    Job,
    JobStatus,
    Response,
    RevisionRequest,
    SowDraft,
    SowRevision,
    utcnow,
)
from sow_prefill.model import Draft
from sow_prefill.prefill import draft_from_answers
from sow_prefill.sandbox import RenderError

from . import audit, exports, jobs
from .context import Context
from .document_kinds import SOW, kind_of, of_revision
from .templates import TemplatesUnavailable

#: The seed's rule: one revision after the customer's review; beyond that, book another call.
REVISIONS_ALLOWED = 1
PREFILL_JOB = "sow.prefill"
MAX_MARKDOWN = 500_000


class RevisionConflict(Exception):
    """Someone saved a newer revision since this one was opened."""


def facts_of(engagement: Engagement) -> dict[str, Any]:
    return {
        "customer": engagement.customer,
        "project": engagement.project,
        **(engagement.facts or {}),
    }


def _structure(draft: Draft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "templates": list(draft.templates),
        "fields": [dataclasses.asdict(f) for f in draft.fields],
        "checklist": [dataclasses.asdict(f) for f in draft.checklist],
        "proposals": [dataclasses.asdict(p) for p in draft.proposals],
        "dropped": list(draft.dropped),
    }


# -- pre-fill: queued by a use case, made by the worker -------------------------------------------


def _prefill_key(response_id: int) -> str:
    return f"{PREFILL_JOB}:{response_id}:"


def queue_prefill(db: Session, response: Response, actor: str, reason: str) -> None:
    """Queue the response's pre-fill in ``db``'s transaction (the caller commits).

    The key names the latest revision, so a double click (or a submission and a click at the
    same time) queues one job, and a later request after new answers queues another.
    """
    latest = _latest_number(db, response.id)
    jobs.enqueue(
        db, PREFILL_JOB, {"response_id": response.id, "actor": actor, "reason": reason},
        dedupe_key=f"{_prefill_key(response.id)}{latest}", max_attempts=3,
    )  # fmt: skip


def _latest_number(db: Session, response_id: int) -> int:
    return (
        db.scalar(
            select(func.max(SowRevision.number))
            .join(SowDraft, SowRevision.draft_id == SowDraft.id)
            .where(SowDraft.response_id == response_id)
        )
        or 0
    )


def run_prefill(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """The worker's job: pre-fill the response's SoW as a new draft or a new revision."""
    response = db.get(Response, int(payload["response_id"]))
    if response is None:
        raise jobs.PermanentFailure("the response no longer exists")
    q = context.definitions.by_hash(db, response.definition_sha256)
    try:
        library = context.templates.library()
        draft_doc, _ = draft_from_answers(
            library, q, response.answers, facts_of(response.engagement)
        )
    except (RenderError, TemplatesUnavailable, KeyError) as exc:
        raise jobs.PermanentFailure(f"the SoW templates have a problem: {exc}") from exc
    draft = _draft_for_update(db, response)
    # Numbering reads the latest revision: hold the draft's row first, so that concurrent
    # pre-fills take their numbers one after another.
    db.execute(select(SowDraft.id).where(SowDraft.id == draft.id).with_for_update())
    draft.prefill = _structure(draft_doc)
    actor = str(payload.get("actor") or "pre-filler")
    revision = _add_revision(
        db, draft, draft_doc.markdown(), actor, "Pre-filled from the questionnaire"
    )
    audit.record(
        db, actor, "sow.generate", engagement_id=response.engagement_id, response_id=response.id,
        revision=revision.number, placeholders=len(draft_doc.checklist),
    )  # fmt: skip


def prefill_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    response = db.get(Response, int(payload["response_id"]))
    if response is not None:
        audit.record(
            db, "pre-filler", "sow.prefill_failed", engagement_id=response.engagement_id,
            response_id=response.id, error=message,
        )  # fmt: skip


def _draft_for_update(db: Session, response: Response) -> SowDraft:
    """The response's draft, created if it has none (a concurrent creation wins, we use it)."""
    draft = _draft_for(db, response.id)
    if draft is not None:
        return draft
    draft = SowDraft(engagement_id=response.engagement_id, response_id=response.id, prefill={})
    try:
        with db.begin_nested():
            db.add(draft)
    except IntegrityError:
        found = _draft_for(db, response.id)
        assert found is not None
        return found
    return draft


@dataclass(frozen=True)
class PrefillState:
    """Whether a pre-fill is waiting for the worker, or why the last one failed."""

    waiting: bool
    failed: str | None


def prefill_state(db: Session, response: Response) -> PrefillState:
    latest = db.execute(
        select(Job.status, Job.last_error)
        .where(Job.kind == PREFILL_JOB, Job.dedupe_key.startswith(_prefill_key(response.id)))
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return PrefillState(False, None)
    status, error = latest
    waiting = status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return PrefillState(waiting, error if status is JobStatus.FAILED else None)


# -- revisions ------------------------------------------------------------------------------------


def _draft_for(db: Session, response_id: int) -> SowDraft | None:
    return db.execute(
        select(SowDraft).where(SowDraft.response_id == response_id)
    ).scalar_one_or_none()


def draft_of(db: Session, engagement: Engagement) -> SowDraft | None:
    """The SoW draft of the engagement's latest pre-filled response, if there is one: a later
    response without a draft (the validation questionnaire's) leaves the SoW where it was."""
    return db.scalars(
        select(SowDraft)
        .where(SowDraft.engagement_id == engagement.id, SowDraft.kind == SOW.name)
        .order_by(SowDraft.response_id.desc())
        .limit(1)
    ).first()


def _add_revision(
    db: Session, draft: SowDraft, markdown: str, author: str, note: str | None
) -> SowRevision:
    number = _latest_revision(db, draft) + 1
    revision = SowRevision(
        draft_id=draft.id, number=number, markdown=markdown, author=author, note=note
    )
    db.add(revision)
    db.flush()
    exports.queue_all(db, revision)
    return revision


def _latest_revision(db: Session, draft: SowDraft) -> int:
    return (
        db.scalar(select(func.max(SowRevision.number)).where(SowRevision.draft_id == draft.id)) or 0
    )


def save_revision(
    db: Session,
    draft: SowDraft,
    markdown: str,
    author: str,
    edited_from: int,
    note: str | None = None,
) -> SowRevision:
    """A new revision, if ``edited_from`` is still the latest; else :class:`RevisionConflict`."""
    if _latest_revision(db, draft) != edited_from:
        raise RevisionConflict
    try:
        with db.begin_nested():
            revision = _add_revision(db, draft, markdown.replace("\r\n", "\n"), author, note)
    except IntegrityError:
        db.rollback()
        raise RevisionConflict from None
    audit.record(
        db, author, kind_of(draft).action("save"), engagement_id=draft.engagement_id,
        revision=revision.number,
    )  # fmt: skip
    db.commit()
    return revision


def mark_sent(db: Session, revision: SowRevision, actor: str) -> bool:
    """Mark the revision sent (by hand: it went to the customer outside the product); commits.

    Whether this call marked it: of two clicks at once, one does and the other changes nothing.
    """
    marked = note_sent(db, revision, actor, how="by hand")
    db.commit()
    return marked


def note_sent(db: Session, revision: SowRevision, actor: str, *, how: str) -> bool:
    """Set the revision's ``sent_at`` unless it is set already, in the caller's transaction.

    One guarded ``UPDATE ... WHERE sent_at IS NULL``: checking ``revision.sent_at`` first and
    then setting it would let two requests both see it unset and both record the send.
    """
    now = utcnow()
    result = db.execute(
        update(SowRevision)
        .where(SowRevision.id == revision.id, SowRevision.sent_at.is_(None))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    db.expire(revision, ["sent_at"])
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    engagement_id = revision.draft.engagement_id
    kind = of_revision(revision)
    kind.on_sent(db, engagement_id, now)
    audit.record(
        db, actor, kind.action("sent"), engagement_id=engagement_id, revision=revision.number,
        how=how,
    )  # fmt: skip
    return True


@dataclass(frozen=True)
class RequestOutcome:
    count: int

    @property
    def over_limit(self) -> bool:
        return self.count > REVISIONS_ALLOWED


def record_request(db: Session, draft: SowDraft, note: str, actor: str) -> RequestOutcome:
    sent = [r for r in draft.revisions if r.sent_at is not None]
    request = RevisionRequest(
        draft_id=draft.id, revision_id=sent[-1].id if sent else None, note=note, recorded_by=actor
    )
    db.add(request)
    audit.record(db, actor, "sow.revision_request", engagement_id=draft.engagement_id)
    db.commit()
    count = db.scalar(select(func.count()).where(RevisionRequest.draft_id == draft.id)) or 0
    return RequestOutcome(count)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context" or "hunk"
    text: str


def diff(older: SowRevision, newer: SowRevision) -> list[DiffLine]:
    lines = difflib.unified_diff(
        older.markdown.splitlines(), newer.markdown.splitlines(),
        f"revision {older.number}", f"revision {newer.number}", lineterm="", n=2,
    )  # fmt: skip
    result = []
    for line in list(lines)[2:]:
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
        result.append(DiffLine(kind, line))
    return result
