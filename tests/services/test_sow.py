"""The SoW use cases without an app: the pre-fill job, its failures, and concurrent pre-fills."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import journey, sow, submission
from questionnaire.services.context import Context
from questionnaire.services.templates import TemplateShelf
from questionnaire.store.db import Database
from questionnaire.store.models import Export, Job, Response, SowDraft, SowRevision
from questionnaire.worker import Worker

from .factories import Factory


def submitted(make: Factory, db: Session, services: Context) -> int:
    token = make.link()
    response = make.response(token, through="last")
    assert submission.submit(db, services, make.opened(token), response.version) == journey.Go(
        "done", submitted_now=True
    )
    return response.id


def test_submission_queues_one_pre_fill_that_makes_a_draft_and_queues_its_exports(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    submitted(make, db, services)
    outcomes = Worker(services, database, isolate=False).run_pending()
    db.rollback()  # end this session's snapshot: see what the worker made
    assert [o.kind for o in outcomes][:1] == ["sow.prefill"] and all(o.ok for o in outcomes)
    [revision] = db.scalars(select(SowRevision)).all()
    assert revision.number == 1 and revision.note == "Pre-filled from the questionnaire"
    formats = sorted(db.scalars(select(Export.format)).all())
    assert formats == ["docx", "html", "pdf"]


def test_a_double_request_queues_one_pre_fill(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token, through="last")
    for _ in range(3):
        sow.queue_prefill(db, response, "eng@example.com", reason="requested")
    db.commit()
    assert db.scalar(select(func.count()).select_from(Job)) == 1


def test_broken_templates_fail_the_job_for_good_and_say_why(
    make: Factory, db: Session, services: Context, database: Database, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.yaml").write_text("id: [unclosed\n")
    broken = replace(services, templates=TemplateShelf.load(tmp_path / "templates"))
    response_id = submitted(make, db, broken)
    ran = Worker(broken, database, isolate=False).run_pending()
    [outcome] = [o for o in ran if o.kind == sow.PREFILL_JOB]  # beside it, the emails
    db.rollback()  # end this session's snapshot: see what the worker made
    assert not outcome.ok and outcome.error and "SoW templates" in outcome.error
    response = db.get(Response, response_id)
    assert response is not None
    state = sow.prefill_state(db, response)
    assert not state.waiting and state.failed == outcome.error
    assert db.scalars(select(SowDraft)).all() == []


def test_a_pre_fill_waits_for_the_draft_while_another_numbers_a_revision(
    postgres_only: str, make: Factory, db: Session, services: Context, database: Database
) -> None:
    """Numbering reads the latest revision: a pre-fill holds the draft's row while it numbers,
    so a second one waits instead of taking the same number (PostgreSQL row locks)."""
    response_id = submitted(make, db, services)
    sow.run_prefill(services, db, {"response_id": response_id, "actor": "first"})
    db.commit()
    finished = threading.Event()

    def prefill() -> None:
        own = Database(postgres_only)
        with own.session() as session:
            sow.run_prefill(services, session, {"response_id": response_id, "actor": "second"})
            session.commit()
        own.dispose()
        finished.set()

    with database.session() as holder:  # another pre-fill, between numbering and commit
        holder.execute(select(SowDraft.id).with_for_update())
        thread = threading.Thread(target=prefill)
        thread.start()
        assert not finished.wait(1.0)  # it waits for the draft ...
        holder.commit()
    thread.join()
    assert finished.is_set()  # ... and goes on once the other has committed
    assert sorted(db.scalars(select(SowRevision.number)).all()) == [1, 2]
