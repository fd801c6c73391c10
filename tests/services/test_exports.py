"""Exports without an app: rendered once per revision and format, a document too large fails
with the exporter's message, and a download only reads."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from questionnaire.services import exports, journey, sow_desk, submission
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Export, ExportStatus, Job, JobStatus
from questionnaire.worker import Worker

from .factories import Factory


def drafted(make: Factory, db: Session, services: Context, database: Database) -> int:
    token = make.link()
    response = make.response(token, through="last")
    assert isinstance(
        submission.submit(db, services, make.opened(token), response.version), journey.Go
    )
    Worker(services, database, isolate=False).run_pending()
    db.rollback()  # end this session's snapshot: see what the worker made
    return response.engagement_id


def test_a_revision_s_exports_are_made_once_and_found_ready(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    _, _, revision = sow_desk.revision(db, engagement_id, 1)
    found = exports.find(services.settings, db, revision, "Acme Health", "pdf")
    assert isinstance(found, exports.Ready) and found.path.read_bytes().startswith(b"%PDF")
    assert found.filename == "SoW-Acme-Health-r1.pdf"
    exports.queue_all(db, revision)  # asking again changes nothing
    db.commit()
    assert Worker(services, database, isolate=False).run_pending() == []


def test_a_document_too_large_fails_with_the_exporter_s_message(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    rows = "\n".join(f"| service {n} | 10.0.0.{n % 250} |" for n in range(2500))
    markdown = f"# SoW\n\n| Service | VIP |\n| --- | --- |\n{rows}\n"
    revision = sow_desk.save(db, engagement_id, markdown, "eng@example.com", 1, None)
    outcomes = Worker(services, database).run_pending()  # in children, with their limits
    db.rollback()  # end this session's snapshot: see what the worker made
    by_format = {
        e.format: e for e in db.scalars(select(Export).where(Export.revision_id == revision.id))
    }
    assert by_format["pdf"].status is ExportStatus.FAILED
    assert "Split the table" in (by_format["pdf"].error or "")
    assert by_format["docx"].status is ExportStatus.READY  # within the Word exporter's budget
    assert any(not o.ok for o in outcomes)
    found = exports.find(services.settings, db, revision, "Acme Health", "pdf")
    assert isinstance(found, exports.NotReady) and found.error == by_format["pdf"].error


def test_a_failed_export_is_tried_again_when_asked_and_queued_once(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    _, _, revision = sow_desk.revision(db, engagement_id, 1)
    key = f"{exports.EXPORT_JOB}:{revision.id}:pdf"
    # As the worker leaves a render that gave up (a timeout, say): the row and its job failed.
    db.execute(
        update(Export)
        .where(Export.revision_id == revision.id, Export.format == "pdf")
        .values(status=ExportStatus.FAILED, error="it took longer than 120 seconds")
    )
    db.execute(update(Job).where(Job.dedupe_key == key).values(status=JobStatus.FAILED))
    db.commit()
    sow_desk.prepare_export(db, engagement_id, 1, "pdf")
    sow_desk.prepare_export(db, engagement_id, 1, "pdf")  # a second click queues nothing more
    found = exports.find(services.settings, db, revision, "Acme Health", "pdf")
    assert isinstance(found, exports.NotReady) and found.status is ExportStatus.QUEUED
    assert found.error is None
    outcomes = Worker(services, database, isolate=False).run_pending()
    assert [(o.kind, o.ok) for o in outcomes] == [(exports.EXPORT_JOB, True)]
    db.rollback()
    found = exports.find(services.settings, db, revision, "Acme Health", "pdf")
    assert isinstance(found, exports.Ready) and found.path.read_bytes().startswith(b"%PDF")
    sow_desk.prepare_export(db, engagement_id, 1, "pdf")  # made: asking again changes nothing
    assert Worker(services, database, isolate=False).run_pending() == []
