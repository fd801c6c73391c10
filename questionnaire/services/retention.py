"""How long an engagement's files are kept: ``FILE_RETENTION_DAYS`` after it is complete.

Every file of an engagement is kept alike: the files engineers attach (``EngagementFile``) and
the customer's questionnaire uploads (``Upload`` rows of its responses). Before the engagement
is complete there is no date; once its card is in Complete, the files are kept until that
day plus the retention period (``stage_since`` is when the card got there). A hold, placed by a
lead or engineer with a reason, keeps them past that date until it is released.

The worker's daily ``files.purge`` deletes the files past their date and not on hold: the file
and its row, nothing else (an answer that named an upload stays, and pages say the file was
removed after the retention period). Each engagement is purged in a transaction of its own that
locks its row and checks again, so a hold or a card moved out of Complete while the purge runs
is honoured; a file already missing on disk is no error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from questionnaire.store.files import EngagementFile, EngagementHold
from questionnaire.store.models import Engagement, PipelineStage, Response, Upload, utcnow

from . import audit, engagement_files, uploads
from .settings import Settings
from .sow_desk import NotFound, engagement

PURGE_JOB = "files.purge"
HOLD_ACTION, RELEASE_ACTION, PURGE_ACTION = "files.hold", "files.release", "files.purge"
#: The purge's name in the audit trail.
PURGE_ACTOR = "retention"
MAX_REASON = 1000


@dataclass(frozen=True)
class Retention:
    """What the Files page says: the date the files go (``None``: not complete yet), and the
    hold that keeps them, if any."""

    kept_until: datetime | None
    hold: EngagementHold | None


def kept_until(settings: Settings, found: Engagement) -> datetime | None:
    """The day the engagement's files are deleted: ``None`` before it is complete."""
    if found.pipeline_stage != PipelineStage.COMPLETE.value:
        return None
    return found.stage_since + timedelta(days=settings.file_retention_days)


def retention_of(db: Session, settings: Settings, engagement_id: int) -> Retention:
    found = engagement(db, engagement_id)
    return Retention(kept_until(settings, found), db.get(EngagementHold, engagement_id))


# -- Holds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldForm:
    """The hold (or release) form as posted: why."""

    reason: str = ""


class InvalidHold(ValueError):
    """``errors``: a message per field (``reason``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def hold(db: Session, engagement_id: int, form: HoldForm, actor: str) -> EngagementHold:
    """Keep the engagement's files whatever their date; commits, with an audit entry."""
    _locked(db, engagement_id)
    reason = _reason(form, "Enter why the files must be kept")
    if db.get(EngagementHold, engagement_id) is not None:
        raise InvalidHold({"reason": "The files are already on hold"})
    row = EngagementHold(engagement_id=engagement_id, held_by=actor, held_at=utcnow(),
                         reason=reason)  # fmt: skip
    db.add(row)
    audit.record(db, actor, HOLD_ACTION, engagement_id=engagement_id, reason=reason)
    db.commit()
    return row


def release(db: Session, engagement_id: int, form: HoldForm, actor: str) -> None:
    """End the hold: the files go at their date again (at once, if it has passed); commits."""
    _locked(db, engagement_id)
    reason = _reason(form, "Enter why the files no longer need to be kept")
    row = db.get(EngagementHold, engagement_id)
    if row is None:
        raise InvalidHold({"reason": "The files are not on hold"})
    audit.record(db, actor, RELEASE_ACTION, engagement_id=engagement_id, reason=reason,
                 held_by=row.held_by, held_reason=row.reason)  # fmt: skip
    db.delete(row)
    db.commit()


def _reason(form: HoldForm, missing: str) -> str:
    reason = form.reason.strip()
    if not reason:
        raise InvalidHold({"reason": missing})
    if len(reason) > MAX_REASON:
        raise InvalidHold({"reason": f"Reason must be {MAX_REASON} characters or fewer"})
    return reason


def _locked(db: Session, engagement_id: int) -> Engagement:
    """The engagement, its row locked until commit (on PostgreSQL): holds and the purge of one
    engagement take turns."""
    found = db.get(Engagement, engagement_id, with_for_update=True, populate_existing=True)
    if found is None:
        raise NotFound("There is no such engagement.")
    return found


# -- The purge ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    """One engagement's files deleted by a purge."""

    engagement_id: int
    names: list[str]


def purge(db: Session, settings: Settings, now: datetime | None = None) -> list[Purged]:
    """Delete the files past their date and not on hold, one engagement at a time; ``now`` is
    injectable so a test can move the clock past the retention period."""
    cutoff = (now or utcnow()) - timedelta(days=settings.file_retention_days)
    due = db.scalars(
        select(Engagement.id)
        .where(Engagement.pipeline_stage == PipelineStage.COMPLETE.value,
               Engagement.stage_since <= cutoff,
               Engagement.id.not_in(select(EngagementHold.engagement_id)))
        .order_by(Engagement.id)
    ).all()  # fmt: skip
    db.rollback()  # end the read: each engagement is purged in its own transaction
    done = [_purge_one(db, settings, engagement_id, cutoff) for engagement_id in due]
    return [purged for purged in done if purged is not None]


def _purge_one(
    db: Session, settings: Settings, engagement_id: int, cutoff: datetime
) -> Purged | None:
    found = db.get(Engagement, engagement_id, with_for_update=True, populate_existing=True)
    still_due = (
        found is not None
        and found.pipeline_stage == PipelineStage.COMPLETE.value
        and found.stage_since <= cutoff
        and db.get(EngagementHold, engagement_id) is None
    )
    files, answered = _files_of(db, engagement_id) if still_due else ([], [])
    if not files and not answered:
        db.rollback()
        return None
    paths = [engagement_files.path_of(settings, f) for f in files]
    paths += [uploads.path_of(settings, u) for u in answered]
    listed = [_listed(f.id, f.original_name, f.size, "engagement") for f in files]
    listed += [_listed(u.id, u.original_name, u.size, "questionnaire") for u in answered]
    db.execute(delete(EngagementFile).where(EngagementFile.id.in_([f.id for f in files])))
    db.execute(delete(Upload).where(Upload.id.in_([u.id for u in answered])))
    audit.record(db, PURGE_ACTOR, PURGE_ACTION, engagement_id=engagement_id, files=listed,
                 retention_days=settings.file_retention_days)  # fmt: skip
    db.commit()
    _unlink(paths)
    return Purged(engagement_id, [item["name"] for item in listed])


def _files_of(db: Session, engagement_id: int) -> tuple[list[EngagementFile], list[Upload]]:
    files = db.scalars(
        select(EngagementFile).where(EngagementFile.engagement_id == engagement_id)
        .order_by(EngagementFile.created_at, EngagementFile.id)
    ).all()  # fmt: skip
    answered = db.scalars(
        select(Upload).join(Response, Upload.response_id == Response.id)
        .where(Response.engagement_id == engagement_id)
        .order_by(Upload.created_at, Upload.id)
    ).all()  # fmt: skip
    return list(files), list(answered)


def _listed(file_id: str, name: str, size: int, source: str) -> dict[str, Any]:
    return {"id": file_id, "name": name, "size": size, "from": source}


def _unlink(paths: list[Path]) -> None:
    """Remove the files once their rows are gone; one already missing is no error (and one
    left by a crash here has no row, so the daily upload sweep removes it)."""
    for path in paths:
        path.unlink(missing_ok=True)


def run_purge(context: Any, db: Session, payload: dict[str, Any]) -> None:
    """The worker's daily job."""
    purge(db, context.settings)


def purge_gave_up(context: Any, db: Session, payload: dict[str, Any], message: str) -> None:
    """Nobody waits for a purge: tomorrow's runs again, and finds the same files due."""
