"""The background worker: jobs queued in a transaction, claimed once, run under hard limits."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from questionnaire.services import jobs
from questionnaire.services.context import Context
from questionnaire.services.job_kinds import KINDS
from questionnaire.store.db import Database
from questionnaire.store.models import Job, JobStatus, utcnow
from questionnaire.worker import Worker

from .factories import run_workers_at_once

RAN: list[int] = []
GAVE_UP: list[str] = []


def _record(context: Context, db: Any, payload: dict[str, Any]) -> None:
    time.sleep(float(payload.get("sleep", 0)))
    RAN.append(int(payload["n"]))


def _loop(context: Context, db: Any, payload: dict[str, Any]) -> None:
    while True:
        pass


def _hog(context: Context, db: Any, payload: dict[str, Any]) -> None:
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))


def _hundred_mb(context: Context, db: Any, payload: dict[str, Any]) -> None:
    bytearray(100 * 1024 * 1024)


def _boom(context: Context, db: Any, payload: dict[str, Any]) -> None:
    raise RuntimeError("the mail server said no")


def _refuse(context: Context, db: Any, payload: dict[str, Any]) -> None:
    raise jobs.PermanentFailure("this document has 20,000 rows")


def _gave_up(context: Context, db: Any, payload: dict[str, Any], message: str) -> None:
    GAVE_UP.append(message)


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    RAN.clear()
    GAVE_UP.clear()
    for name, run, seconds in [
        ("test.record", _record, 10), ("test.loop", _loop, 1), ("test.hog", _hog, 10),
        ("test.boom", _boom, 10), ("test.refuse", _refuse, 10),
        ("test.hundred_mb", _hundred_mb, 10),
    ]:  # fmt: skip
        monkeypatch.setitem(
            KINDS, name, jobs.JobKind(run, _gave_up, seconds=seconds, memory_mb=300)
        )


def queue(database: Database, kind: str, count: int = 1, **payload: Any) -> None:
    with database.session() as session:
        for n in range(count):
            jobs.enqueue(session, kind, {"n": n, **payload})
        session.commit()


def status_of(database: Database) -> list[tuple[JobStatus, int, str | None]]:
    with database.session() as session:
        rows = session.execute(select(Job.status, Job.attempts, Job.last_error).order_by(Job.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_job_runs_once_and_is_marked_done(services: Context, database: Database) -> None:
    queue(database, "test.record", 3)
    outcomes = Worker(services, database).run_pending()
    assert [o.ok for o in outcomes] == [True, True, True]
    assert status_of(database) == [(JobStatus.DONE, 1, None)] * 3
    assert Worker(services, database).run_pending() == []


def test_a_job_that_never_ends_is_stopped_and_failed_for_good(
    services: Context, database: Database
) -> None:
    queue(database, "test.loop")
    queue(database, "test.record")
    worker = Worker(services, database)
    [looped, after] = worker.run_pending()
    assert not looped.ok and looped.error == "it took longer than 1 seconds"
    assert after.ok  # the worker carried on
    assert status_of(database)[0][0] is JobStatus.FAILED
    assert GAVE_UP == ["it took longer than 1 seconds"]


def test_a_job_that_eats_memory_fails_with_a_message_and_the_worker_lives(
    services: Context, database: Database
) -> None:
    queue(database, "test.hog")
    [outcome] = Worker(services, database).run_pending()
    assert not outcome.ok and outcome.error is not None and "memory" in outcome.error
    assert status_of(database)[0][0] is JobStatus.FAILED


def test_the_memory_cap_is_on_what_a_job_adds_not_on_what_the_worker_holds(
    services: Context, database: Database
) -> None:
    held = bytearray(1024 * 1024 * 1024)  # a worker that has grown past the 300 MB a job may use
    queue(database, "test.hundred_mb")
    [outcome] = Worker(services, database).run_pending()
    assert outcome.ok, outcome.error
    del held


def test_a_failing_job_is_retried_later_then_given_up(
    services: Context, database: Database
) -> None:
    queue(database, "test.boom")
    worker = Worker(services, database, isolate=False)
    [first] = worker.run_pending()
    assert not first.ok and first.error == "RuntimeError: the mail server said no"
    [(status, attempts, error)] = status_of(database)
    assert (status, attempts) == (JobStatus.QUEUED, 1) and error == first.error
    assert worker.run_pending() == []  # not before its back-off
    for _ in range(4):  # time passes: make it due again each time
        with database.session() as session:
            session.execute(update(Job).values(run_after=utcnow()))
            session.commit()
        worker.run_pending()
    assert status_of(database) == [(JobStatus.FAILED, 5, "RuntimeError: the mail server said no")]
    assert GAVE_UP == ["RuntimeError: the mail server said no"]


def test_a_permanent_failure_is_not_retried(services: Context, database: Database) -> None:
    queue(database, "test.refuse")
    [outcome] = Worker(services, database).run_pending()
    assert outcome.error == "this document has 20,000 rows"
    assert status_of(database) == [(JobStatus.FAILED, 1, "this document has 20,000 rows")]


def test_a_job_whose_worker_died_is_claimed_again_when_its_lease_lapses(
    services: Context, database: Database
) -> None:
    queue(database, "test.record")
    with database.session() as session:
        claimed = jobs.claim(session, timedelta(minutes=5), skip_locked=False)
    assert claimed is not None  # ... and the worker holding it is killed here
    worker = Worker(services, database, isolate=False)
    assert worker.run_pending() == []  # the lease still holds
    with database.session() as session:
        session.execute(update(Job).values(locked_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    [outcome] = worker.run_pending()
    assert outcome.ok and status_of(database) == [(JobStatus.DONE, 2, None)]


def test_the_same_work_is_queued_once(database: Database) -> None:
    with database.session() as session:
        for _ in range(3):
            jobs.enqueue(session, "test.record", {"n": 1}, dedupe_key="export:1:pdf")
        session.commit()
    with database.session() as session:
        jobs.enqueue(session, "test.record", {"n": 1}, dedupe_key="export:1:pdf")
        session.commit()
    assert len(status_of(database)) == 1


def test_a_job_queued_in_a_transaction_that_rolls_back_is_never_run(database: Database) -> None:
    with database.session() as session:
        jobs.enqueue(session, "test.record", {"n": 1})
        session.rollback()
    assert status_of(database) == []


def test_workers_in_parallel_run_each_job_exactly_once(
    postgres_only: str, services: Context, database: Database
) -> None:
    queue(database, "test.record", 40, sleep=0.01)
    run_workers_at_once(services, postgres_only)
    assert sorted(RAN) == list(range(40))
    assert status_of(database) == [(JobStatus.DONE, 1, None)] * 40


def test_the_daily_sweep_is_queued_once_a_day_and_removes_files_no_row_names(
    services: Context, database: Database
) -> None:
    folder = services.settings.upload_dir
    (folder / "staging").mkdir(parents=True)
    orphan, staged = folder / ("a" * 32), folder / "staging" / ("b" * 32 + ".part")
    fresh = folder / ("c" * 32)
    for path in (orphan, staged, fresh):
        path.write_bytes(b"left behind by a process killed mid-save")
    hour_ago = time.time() - 7200
    for path in (orphan, staged):
        os.utime(path, (hour_ago, hour_ago))
    worker = Worker(services, database, isolate=False)
    worker.queue_daily()
    worker.queue_daily()
    # Once each: the uploads' sweep, the calendar feeds' (booking_fetch.SWEEP_JOB) and the
    # retention purge (retention.PURGE_JOB).
    outcomes = worker.run_pending()
    assert sorted(o.kind for o in outcomes) == ["calendar.sweep", "files.purge", "uploads.sweep"]
    [outcome] = [o for o in outcomes if o.kind == "uploads.sweep"]
    assert outcome.ok
    assert not orphan.exists() and not staged.exists()
    assert fresh.exists()  # it may belong to a save still in progress
