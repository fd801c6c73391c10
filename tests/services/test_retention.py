"""Retention: every file of an engagement goes a set time after completion, unless on hold."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import engagement_files, files_desk, retention, uploads
from questionnaire.services.context import Context
from questionnaire.services.engagement_files import AttachForm
from questionnaire.services.retention import HoldForm, InvalidHold
from questionnaire.services.settings import Settings
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.db import Database
from questionnaire.store.files import EngagementFile, EngagementHold
from questionnaire.store.models import AuditEvent, Engagement, Response, Upload
from questionnaire.worker import Worker

from .factories import Factory
from .files_support import LOG, PDF, Incoming

COMPLETED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
YEAR_LATER = COMPLETED + timedelta(days=365)


def _engagement_with_files(
    db: Session, services: Context, make: Factory, customer: str
) -> Engagement:
    """An engagement with an engineer's file and a customer's questionnaire upload (named by
    an answer)."""
    token = make.link(customer=customer)
    response = make.response(token, through="about")
    engagement_id = response.engagement_id
    engagement_files.attach(db, services.settings, engagement_id,
                            AttachForm(Incoming("lbsupport.log", LOG), "customer"), "eng")  # fmt: skip
    upload = Upload(id=f"{response.id:032x}", response_id=response.id, question_id="hld",
                    original_name="design.pdf", kind="pdf", size=len(PDF), sha256="0" * 64)  # fmt: skip
    services.settings.upload_dir.mkdir(parents=True, exist_ok=True)
    uploads.path_of(services.settings, upload).write_bytes(PDF)
    db.add(upload)
    response.answers = {**response.answers, "hld": {"id": upload.id, "name": "design.pdf"}}
    db.commit()
    found = db.get(Engagement, engagement_id)
    assert found is not None
    return found


def _complete(db: Session, found: Engagement, at: datetime = COMPLETED) -> None:
    found.pipeline_stage, found.stage_since = "complete", at
    db.commit()


def _names(db: Session, engagement_id: int) -> list[str]:
    files = db.scalars(select(EngagementFile.original_name)
                       .where(EngagementFile.engagement_id == engagement_id)).all()  # fmt: skip
    answered = db.scalars(
        select(Upload.original_name).join(Response).where(Response.engagement_id == engagement_id)
    ).all()
    return sorted([*files, *answered])


def test_no_date_before_completion_then_a_year_after(
    db: Session, services: Context, make: Factory
) -> None:
    found = _engagement_with_files(db, services, make, "Acme")
    assert retention.retention_of(db, services.settings, found.id).kept_until is None
    assert retention.purge(db, services.settings, now=YEAR_LATER + timedelta(days=3650)) == []
    assert _names(db, found.id) == ["design.pdf", "lbsupport.log"]
    _complete(db, found)
    assert retention.retention_of(db, services.settings, found.id).kept_until == YEAR_LATER


def test_purge_deletes_exactly_the_files_past_their_date(
    db: Session, services: Context, make: Factory
) -> None:
    due = _engagement_with_files(db, services, make, "Due")
    recent = _engagement_with_files(db, services, make, "Recent")
    open_ = _engagement_with_files(db, services, make, "Still open")
    _complete(db, due)
    _complete(db, recent, COMPLETED + timedelta(days=1))
    due_paths = _paths(db, services, due.id)
    assert retention.purge(db, services.settings, now=YEAR_LATER - timedelta(seconds=1)) == []
    purged = retention.purge(db, services.settings, now=YEAR_LATER)
    assert purged == [retention.Purged(due.id, ["lbsupport.log", "design.pdf"])]
    assert _names(db, due.id) == []
    assert not any(path.exists() for path in due_paths)
    for other in (recent, open_):
        assert _names(db, other.id) == ["design.pdf", "lbsupport.log"]
        assert all(path.exists() for path in _paths(db, services, other.id))
    response = db.scalars(select(Response).where(Response.engagement_id == due.id)).one()
    assert response.answers["hld"]["name"] == "design.pdf"  # the answer stays
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "files.purge")).one()
    assert (event.engagement_id, event.actor) == (due.id, "retention")
    assert [(f["name"], f["from"]) for f in event.detail["files"]] == [
        ("lbsupport.log", "engagement"), ("design.pdf", "questionnaire")
    ]  # fmt: skip


def test_purge_is_idempotent_and_files_already_gone_are_no_error(
    db: Session, services: Context, make: Factory
) -> None:
    found = _engagement_with_files(db, services, make, "Acme")
    _complete(db, found)
    for path in _paths(db, services, found.id):
        path.unlink()
    assert len(retention.purge(db, services.settings, now=YEAR_LATER)) == 1
    assert retention.purge(db, services.settings, now=YEAR_LATER + timedelta(days=1)) == []
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "files.purge")).all()) == 1


def test_hold_stops_the_purge_and_release_resumes_it(
    db: Session, services: Context, make: Factory
) -> None:
    found = _engagement_with_files(db, services, make, "Acme")
    _complete(db, found)
    retention.hold(db, found.id, HoldForm("  Dispute over the invoice "), "lead@example.com")
    kept = retention.retention_of(db, services.settings, found.id)
    assert kept.hold is not None and kept.hold.reason == "Dispute over the invoice"
    assert retention.purge(db, services.settings, now=YEAR_LATER + timedelta(days=30)) == []
    assert _names(db, found.id) == ["design.pdf", "lbsupport.log"]
    retention.release(db, found.id, HoldForm("Settled"), "eng@example.com")
    assert retention.retention_of(db, services.settings, found.id).hold is None
    assert len(retention.purge(db, services.settings, now=YEAR_LATER + timedelta(days=30))) == 1
    assert _names(db, found.id) == []
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.engagement_id == found.id)
                         .where(AuditEvent.action.like("files.%")).order_by(AuditEvent.id)).all()  # fmt: skip
    assert actions == ["files.attach", "files.hold", "files.release", "files.purge"]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why the files must be kept"),
        ("x" * 1001, "Reason must be 1000 characters or fewer"),
    ],
)
def test_a_hold_needs_a_reason(db: Session, make: Factory, reason: str, message: str) -> None:
    found = make.engagement()
    with pytest.raises(InvalidHold) as refused:
        retention.hold(db, found.id, HoldForm(reason), "lead")
    assert refused.value.errors == {"reason": message}
    assert db.scalars(select(EngagementHold)).all() == []


def test_hold_twice_and_release_without_hold_are_refused(db: Session, make: Factory) -> None:
    found = make.engagement()
    with pytest.raises(InvalidHold, match="not on hold"):
        retention.release(db, found.id, HoldForm("why"), "lead")
    retention.hold(db, found.id, HoldForm("why"), "lead")
    with pytest.raises(InvalidHold, match="already on hold"):
        retention.hold(db, found.id, HoldForm("again"), "lead")
    with pytest.raises(NotFound):
        retention.hold(db, found.id + 1000, HoldForm("why"), "lead")


def test_the_worker_purges_once_a_day(
    db: Session, services: Context, make: Factory, database: Database
) -> None:
    found = _engagement_with_files(db, services, make, "Acme")
    _complete(db, found, datetime(2020, 1, 1, tzinfo=UTC))  # long past its date, by any clock
    worker = Worker(services, database, isolate=False)
    worker.queue_daily()
    worker.queue_daily()
    [outcome] = [o for o in worker.run_pending() if o.kind == retention.PURGE_JOB]
    assert outcome.ok, outcome.error
    db.expire_all()
    assert _names(db, found.id) == []


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cases=st.lists(
        st.tuples(st.one_of(st.none(), st.integers(-400, 400)), st.booleans()),
        min_size=1, max_size=4,
    ),
)  # fmt: skip
def test_purge_deletes_exactly_the_due_and_unheld(
    db: Session, services: Context, make: Factory, cases: list[tuple[int | None, bool]]
) -> None:
    """Each case: completed that many days before a year ago (``None``: not complete), held or
    not. Exactly the complete, unheld ones completed at least a year ago lose their files."""
    made = []
    for number, (days_before, held) in enumerate(cases):
        found = make.engagement(f"Case {number}")
        engagement_files.attach(db, services.settings, found.id,
                                AttachForm(Incoming("a.log", LOG), "engineer"), "eng")  # fmt: skip
        if days_before is not None:
            _complete(db, found, COMPLETED - timedelta(days=days_before))
        if held:
            retention.hold(db, found.id, HoldForm("kept"), "lead")
        made.append((found.id, days_before is not None and days_before >= 0 and not held))
    purged = {p.engagement_id for p in retention.purge(db, services.settings, now=YEAR_LATER)}
    for engagement_id, due in made:
        assert (engagement_id in purged) == due
        assert bool(_names(db, engagement_id)) == (not due)


def test_a_hold_placed_while_the_purge_waits_is_honoured(
    db: Session, services: Context, make: Factory, database_url: str
) -> None:
    """On PostgreSQL the purge locks the engagement's row and checks again: a hold committed
    while it waited for the lock keeps the files."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's")
    found = _engagement_with_files(db, services, make, "Acme")
    _complete(db, found)
    holder = Database(database_url)
    with holder.session() as other:
        other.get(Engagement, found.id, with_for_update=True)
        other.add(EngagementHold(engagement_id=found.id, held_by="lead", reason="audit"))
        other.flush()
        results: list[list[retention.Purged]] = []
        purger = Database(database_url)

        def run() -> None:
            with purger.session() as own:
                results.append(retention.purge(own, services.settings, now=YEAR_LATER))

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for the lock
        other.commit()
        thread.join(10)
    holder.dispose()
    purger.dispose()
    assert results == [[]]
    db.expire_all()
    assert _names(db, found.id) == ["design.pdf", "lbsupport.log"]


def _paths(db: Session, services: Context, engagement_id: int) -> list[Path]:
    files = db.scalars(select(EngagementFile).where(EngagementFile.engagement_id == engagement_id))
    answered = db.scalars(
        select(Upload).join(Response).where(Response.engagement_id == engagement_id)
    )
    return [engagement_files.path_of(services.settings, f) for f in files] + [
        uploads.path_of(services.settings, u) for u in answered
    ]


@pytest.mark.parametrize(
    ("days", "words"),
    [(365, "a year"), (730, "2 years"), (90, "90 days"), (1, "1 day"), (400, "400 days")],
)
def test_the_period_in_words(days: int, words: str) -> None:
    assert files_desk.period_words(days) == words


@pytest.mark.parametrize("days", [0, -1, 36_501])
def test_a_retention_period_out_of_range_is_refused_at_start(days: int) -> None:
    with pytest.raises(ValueError, match="FILE_RETENTION_DAYS must be 1 to 36500"):
        Settings.from_config({"UPLOAD_DIR": "u", "EXPORT_DIR": "e", "FILE_RETENTION_DAYS": days})
