"""The engineer's Project Detail Record: made from the accepted SoW, then edited row by row.

Every edit makes a new numbered revision (who, when, what: the note says which row changed), and
names the revision it was made from: a stale page gets :class:`RevisionConflict` with what was
typed kept, never a silent overwrite. Two saves from one revision cannot both land: the second
fails on ``(pdr_id, number)``. Each use case owns its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.delivery import (
    Content,
    Location,
    Refused,
    from_sow,
    parse_location,
    parse_row,
    validate,
)
from questionnaire.delivery import pdr as content_edits
from questionnaire.store.delivery import Pdr, PdrRevision
from questionnaire.store.models import Engagement, Response, SowDraft

from . import audit, pdr_exports, review_state, sow
from .sow_desk import NotFound, engagement

__all__ = [
    "NoAcceptedSow", "NotFound", "Refused", "RevisionConflict", "RowInvalid", "engagement",
]  # fmt: skip


class NoAcceptedSow(Exception):
    """The PDR is made from an accepted SoW, and this engagement has none yet."""


class RevisionConflict(Exception):
    """Someone saved a newer revision since this page was opened."""


@dataclass
class RowInvalid(Exception):
    """The row as posted, with a message per column (what the form shows back)."""

    errors: dict[str, str]
    typed: Mapping[str, str] = field(default_factory=dict)


def pdr_of(db: Session, engagement_id: int) -> Pdr | None:
    return db.scalars(select(Pdr).where(Pdr.engagement_id == engagement_id)).first()


def the_pdr(db: Session, engagement_id: int) -> Pdr:
    engagement(db, engagement_id)
    found = pdr_of(db, engagement_id)
    if found is None or not found.revisions:
        raise NotFound("There is no Project Detail Record for this engagement yet.")
    return found


def revision(db: Session, engagement_id: int, number: int) -> PdrRevision:
    chosen = next((r for r in the_pdr(db, engagement_id).revisions if r.number == number), None)
    if chosen is None:
        raise NotFound("There is no such revision of the Project Detail Record.")
    return chosen


def accepted_draft(db: Session, engagement_id: int) -> SowDraft | None:
    draft = sow.draft_of(db, engagement(db, engagement_id))
    if draft is None or review_state.acceptance_of(db, draft.id) is None:
        return None
    return draft


def create(db: Session, engagement_id: int, actor: str) -> Pdr:
    """Make the PDR from the accepted SoW: its revision 1 holds the SoW's proposals and the
    customer's answers as proposed values. Made once: asked twice, the second gets the first's."""
    draft = accepted_draft(db, engagement_id)
    if draft is None:
        raise NoAcceptedSow("The customer has not accepted the Statement of Work yet.")
    existing = pdr_of(db, engagement_id)
    if existing is not None:
        return existing
    response = db.get(Response, draft.response_id)
    content = from_sow(response.answers if response else {}, draft.prefill.get("proposals") or [])
    accepted = review_state.acceptance_of(db, draft.id)
    number = accepted.revision.number if accepted else None
    try:
        with db.begin_nested():
            record = Pdr(engagement_id=engagement_id, draft_id=draft.id, created_by=actor)
            db.add(record)
            db.flush()
            first = _add(db, record, content, actor, f"Made from revision {number} of the SoW")
    except IntegrityError:
        db.rollback()  # made at the same moment by someone else: theirs stands
        return the_pdr(db, engagement_id)
    audit.record(db, actor, "pdr.create", engagement_id=engagement_id, sow_revision=number)
    pdr_exports.queue_all(db, first)
    db.commit()
    return record


def _add(db: Session, record: Pdr, content: Content, actor: str, note: str) -> PdrRevision:
    latest = db.scalar(
        select(PdrRevision.number).where(PdrRevision.pdr_id == record.id)
        .order_by(PdrRevision.number.desc()).limit(1)
    ) or 0  # fmt: skip
    added = PdrRevision(pdr_id=record.id, number=latest + 1, content=content, author=actor,
                        note=note[:500])  # fmt: skip
    db.add(added)
    db.flush()
    return added


def save_row(
    db: Session, engagement_id: int, at: str, posted: Mapping[str, str], edited_from: int,
    actor: str,
) -> PdrRevision:  # fmt: skip
    """Add or change the row at ``at`` (``virtual_services.new``, ``ha.1``); confirms the
    row's proposed values. :class:`RowInvalid`, :class:`RevisionConflict`, :class:`Refused`."""
    record, current = _current(db, engagement_id, edited_from)
    location = parse_location(at)
    row, errors = parse_row(location.table(), posted)
    if errors:
        raise RowInvalid(errors, posted)
    content, note = content_edits.put_row(current.content, location, row)
    _refuse_twins(content, location, posted)
    return _save(db, record, content, actor, note)


def remove_row(
    db: Session, engagement_id: int, at: str, edited_from: int, actor: str
) -> PdrRevision:
    record, current = _current(db, engagement_id, edited_from)
    content, note = content_edits.remove_row(current.content, parse_location(at))
    return _save(db, record, content, actor, note)


def _current(db: Session, engagement_id: int, edited_from: int) -> tuple[Pdr, PdrRevision]:
    record = the_pdr(db, engagement_id)
    current = record.revisions[-1]
    if current.number != edited_from:
        raise RevisionConflict
    return record, current


def _refuse_twins(content: Content, location: Location, posted: Mapping[str, str]) -> None:
    """A row named as another of its table is refused (rows are told apart by name)."""
    rows = content_edits.rows_at(content, location)
    index = len(rows) - 1 if location.index is None else location.index
    prefix = f"{'.'.join(location.path.split('.')[:-1])}.{index}."
    mine = {key[len(prefix):]: message for key, message in validate(content).items()
            if key.startswith(prefix) and "." not in key[len(prefix):]}  # fmt: skip
    if mine:
        raise RowInvalid(mine, posted)


def _save(db: Session, record: Pdr, content: Content, actor: str, note: str) -> PdrRevision:
    try:
        with db.begin_nested():
            added = _add(db, record, content, actor, note)
    except IntegrityError:
        db.rollback()
        raise RevisionConflict from None
    audit.record(db, actor, "pdr.save", engagement_id=record.engagement_id, revision=added.number,
                 note=added.note)  # fmt: skip
    pdr_exports.queue_all(db, added)
    db.commit()
    return added


@dataclass(frozen=True)
class Workspace:
    """The PDR page: the engagement, its record and latest revision, problems, exports."""

    engagement: Engagement
    pdr: Pdr
    current: PdrRevision
    problems: dict[str, str]
    exports: dict[str, pdr_exports.NotReady | None]


def workspace(db: Session, engagement_id: int) -> Workspace | None:
    """``None`` when there is no PDR yet (the page offers to make it, once the SoW is accepted)."""
    found = engagement(db, engagement_id)
    record = pdr_of(db, engagement_id)
    if record is None or not record.revisions:
        return None
    current = record.revisions[-1]
    return Workspace(found, record, current, validate(current.content),
                     pdr_exports.states(db, current))  # fmt: skip


def prepare_export(db: Session, engagement_id: int, number: int, fmt: str) -> None:
    """An engineer asks for a format that was never queued, or failed and may now succeed."""
    pdr_exports.prepare(db, revision(db, engagement_id, number), fmt)
    db.commit()
