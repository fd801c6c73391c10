"""The background worker's queue: jobs are rows, queued in the caller's transaction.

Queuing in the same transaction as the change that needs the work means a job is never lost
and never made for a change that rolled back. A worker claims a job with a guarded ``UPDATE``
(on PostgreSQL after ``SELECT ... FOR UPDATE SKIP LOCKED``), so two workers never run the same
job; a claim is a lease, and a job whose worker died is claimed again once the lease lapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.models import Job, JobStatus, utcnow

#: Retries wait 10 s, 40 s, 90 s, ... (attempts squared), at most an hour.
BACKOFF_SECONDS = 10
MAX_BACKOFF = timedelta(hours=1)
ERROR_LIMIT = 2000


def enqueue(
    db: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
    run_after: datetime | None = None,
) -> None:
    """Queue a job in ``db``'s transaction (the caller commits). With ``dedupe_key``, a job
    already queued under that key (by anyone, at any time) stands and this one is not added.
    ``run_after`` holds it back until then (a reminder); by default it is due at once."""
    job = Job(
        kind=kind, payload=payload, dedupe_key=dedupe_key, max_attempts=max_attempts,
        status=JobStatus.QUEUED, attempts=0, run_after=run_after or utcnow(),
    )  # fmt: skip
    if dedupe_key is None:
        db.add(job)
        return
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:
        pass  # the same work is queued already


def enqueue_again(
    db: Session, kind: str, payload: dict[str, Any], *, dedupe_key: str, max_attempts: int = 5
) -> None:
    """Queue again the work under ``dedupe_key`` (a person asked to try again): its finished
    job (failed, or done while what it made was lost) is due now with its attempts counted
    afresh, or, if it is gone, a new one is queued. A job still queued or running stands."""
    again = db.execute(
        update(Job)
        .where(
            Job.dedupe_key == dedupe_key, Job.status.in_([JobStatus.FAILED, JobStatus.DONE])
        )
        .values(status=JobStatus.QUEUED, attempts=0, run_after=utcnow(), last_error=None,
                locked_until=None, finished_at=None)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if cast(CursorResult[Any], again).rowcount == 0:
        enqueue(db, kind, payload, dedupe_key=dedupe_key, max_attempts=max_attempts)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int


def _claimable(now: datetime) -> Any:
    ready = and_(Job.status == JobStatus.QUEUED, Job.run_after <= now)
    abandoned = and_(Job.status == JobStatus.RUNNING, Job.locked_until < now)
    return or_(ready, abandoned)


def claim(db: Session, lease: timedelta, *, skip_locked: bool) -> Claimed | None:
    """Claim the oldest job that is due (committed here), or ``None`` when there is none."""
    now = utcnow()
    candidates = select(Job.id).where(_claimable(now)).order_by(Job.id).limit(10)
    if skip_locked:
        candidates = candidates.with_for_update(skip_locked=True)
    for job_id in db.scalars(candidates).all():
        result = db.execute(
            update(Job)
            .where(Job.id == job_id, _claimable(now))
            .values(status=JobStatus.RUNNING, locked_until=now + lease, attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 1:
            job = db.get(Job, job_id, populate_existing=True)
            assert job is not None
            claimed = Claimed(job.id, job.kind, dict(job.payload), job.attempts)
            db.commit()
            return claimed
    db.rollback()
    return None


def finish(db: Session, job_id: int) -> None:
    """Mark the job done in ``db``'s transaction: the work and its completion commit together."""
    db.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(status=JobStatus.DONE, finished_at=utcnow(), locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


def fail(db: Session, job_id: int, error: str, *, permanent: bool) -> bool:
    """Record a failed attempt; retry later unless ``permanent`` or out of attempts.

    Returns whether the job has failed for good (the caller then tells whoever waits for it).
    """
    job = db.get(Job, job_id, populate_existing=True)
    if job is None:
        return True
    job.last_error = error[:ERROR_LIMIT]
    job.locked_until = None
    if permanent or job.attempts >= job.max_attempts:
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        return True
    job.status = JobStatus.QUEUED
    job.run_after = utcnow() + min(
        timedelta(seconds=BACKOFF_SECONDS * job.attempts**2), MAX_BACKOFF
    )
    return False


def pending(db: Session) -> int:
    """Jobs still to run (queued or running)."""
    return len(
        db.scalars(
            select(Job.id).where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        ).all()
    )


def prune_finished(db: Session, kind: str, before: datetime) -> int:
    """Delete ``kind``'s jobs that finished (done or failed) before ``before``, in ``db``'s
    transaction; returns how many. Only for kinds whose dedupe keys carry their own time (a
    deleted key is never queued again), and whose outcome is kept elsewhere."""
    result = db.execute(
        delete(Job)
        .where(
            Job.kind == kind,
            Job.status.in_([JobStatus.DONE, JobStatus.FAILED]),
            Job.finished_at < before,
        )
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


class PermanentFailure(Exception):
    """The job cannot succeed by running again (bad input, a document too large): no retry."""


@dataclass(frozen=True)
class JobKind:
    """How the worker runs one kind of job, and its hard limits when run in a child process.

    ``run`` does the work in the session it is given (the worker commits it with the job's
    completion); ``gave_up`` records, in a fresh session, that the job failed for good, so the
    people waiting for it see why instead of waiting forever.
    """

    run: Any  # Callable[[Context, Session, dict[str, Any]], None]
    gave_up: Any  # Callable[[Context, Session, dict[str, Any], str], None]
    seconds: float = 60.0
    memory_mb: int = 2048
