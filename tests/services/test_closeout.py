"""Close-out: the customer's acceptance completes the engagement, the worker makes the support
handover document, and sales and finance hear of the days used against the days sold."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import closeout, support_document, support_notes
from questionnaire.services.closeout_settings import CloseoutSettings
from questionnaire.services.context import Context
from questionnaire.store.closeout import EngagementCompletion, OutgoingWebhook
from questionnaire.store.db import Database
from questionnaire.store.handover import FunctionalTest
from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    ExportStatus,
    Job,
    PipelineStage,
)
from questionnaire.worker import Worker
from tests.smtp import SmtpServer, via

from .closeout_support import CUSTOMER, ENGINEER, SALES, delivered
from .factories import Factory

#: Never posted to: the racing acceptances only queue the delivery.
NEVER_POSTED = "http://127.0.0.1:9/hooks"


def _accept(db: Session, context: Context, engagement_id: int) -> None:
    """What the acceptance use case does: call close-out in its transaction, then commit."""
    closeout.on_acceptance_document_accepted(db, context, engagement_id, CUSTOMER)
    db.commit()


def test_the_acceptance_completes_the_engagement_in_its_own_transaction(
    make: Factory, db: Session, services: Context
) -> None:
    engagement_id = delivered(make, db)
    closeout.on_acceptance_document_accepted(db, services, engagement_id, CUSTOMER)
    db.rollback()  # the acceptance failed after calling close-out: nothing of it stays
    assert db.scalar(select(func.count()).select_from(EngagementCompletion)) == 0
    _accept(db, services, engagement_id)
    engagement = db.get(Engagement, engagement_id, populate_existing=True)
    assert engagement is not None and engagement.pipeline_stage == PipelineStage.COMPLETE
    [completion] = db.scalars(select(EngagementCompletion)).all()
    assert completion.accepted_by == CUSTOMER and completion.completed_at is not None
    moves = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.move")).all()
    assert moves[-1].actor == CUSTOMER
    assert moves[-1].detail["reason"] == "the customer accepted the acceptance document"
    kinds = sorted(db.scalars(select(Job.kind)).all())
    assert support_document.DOCUMENT_JOB in kinds
    assert db.scalar(select(func.count()).select_from(OutgoingWebhook)) == 0  # none configured


def test_a_second_acceptance_changes_nothing(make: Factory, db: Session, services: Context) -> None:
    engagement_id = delivered(make, db)
    _accept(db, services, engagement_id)
    jobs_before = db.scalar(select(func.count()).select_from(Job))
    _accept(db, services, engagement_id)
    assert db.scalar(select(func.count()).select_from(Job)) == jobs_before
    assert db.scalar(select(func.count()).select_from(EngagementCompletion)) == 1


def test_the_worker_makes_the_document_then_mails_sales_and_finance_days_used_against_sold(
    make: Factory, db: Session, services: Context, database: Database, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    engagement_id = delivered(make, db)
    _accept(db, context, engagement_id)
    outcomes = Worker(context, database, isolate=False).run_pending()
    assert outcomes and all(outcome.ok for outcome in outcomes)
    states = support_document.states(db, engagement_id)
    assert states == {"pdf": None, "docx": None}
    found = support_document.find(services.settings, db, services, engagement_id, "pdf")
    assert isinstance(found, support_document.Ready) and found.path.read_bytes()[:5] == b"%PDF-"
    [received] = smtp_server.received
    assert sorted(received.rcpt_tos) == sorted([SALES, "finance@loadbalancer.org"])
    message = received.message
    assert message["Subject"] == "Acme Health is complete: 3.5 PS days used of 5 sold"
    text = received.part("text/plain")
    assert "PS days used:** 3.5" in text or "PS days used: 3.5" in text
    assert "1.5 days under" in text
    assert "https://questionnaire.example.com/e/engagements/" in text
    assert f"/e/engagements/{engagement_id}/completion.csv" in text
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content()[:5] == b"%PDF-"


def test_the_document_says_what_support_needs(
    make: Factory, db: Session, services: Context
) -> None:
    engagement_id = delivered(make, db)
    _accept(db, services, engagement_id)
    found = support_document.find(services.settings, db, services, engagement_id, "md")
    assert isinstance(found, support_document.Inline)
    markdown = found.body.decode()
    assert markdown.startswith("# Support handover: Acme Health\n\nEngagement ")
    for expected in (
        "**Customer contact:** Jo Customer, jo@acme.example.com",
        "**Engineer:** Eve Engineer", "**Sales:** Sam Sales",
        "**PS days:** 3.5 used of 5 sold",
        "| 1 Dec 2026 | Eve Engineer | 1.5 | Session of 2026-12-01 | Yes |",
        "### How we connected to the system\n\nTeamViewer session with Jo.",
        "### How the system was left\n\nLive, both appliances in sync.",
        "Asymmetric routing on VLAN 20.\n\nOdd MTU.",
        "## The customer's original requirements",
        "**Organisation name:** Acme",  # the small questionnaire's answer
        "No functional test was recorded.",
        "From revision 1 of the Project Detail Record.",
        "### Virtual services\n\n| Name |", "| PACS viewer | 10\\.0.0.10 |",
        "#### Real servers of PACS viewer",
    ):  # fmt: skip
        assert expected in markdown, expected


def test_a_document_that_cannot_be_made_still_sends_the_summary_without_it(
    make: Factory, db: Session, services: Context, database: Database, smtp_server: SmtpServer,
    tmp_path: Path,
) -> None:  # fmt: skip
    context = via(services, smtp_server)
    engagement_id = delivered(make, db)
    _accept(db, context, engagement_id)
    support_document.render_gave_up(context, db, {"engagement_id": engagement_id}, "too large")
    db.commit()
    assert support_document.states(db, engagement_id)["pdf"] == support_document.NotReady(
        ExportStatus.FAILED, "too large"
    )
    Worker(context, database, isolate=False).run_pending()
    texts = [received.part("text/plain") for received in smtp_server.received]
    assert len(texts) == 1 and "could not be made, so it is not attached" in texts[0]


def test_support_notes_are_checked_saved_with_who_and_closed_at_completion(
    make: Factory, db: Session, services: Context
) -> None:
    engagement_id = delivered(make, db)
    with pytest.raises(support_notes.InvalidNotes) as refused:
        support_notes.save(db, engagement_id, support_notes.NotesForm(), ENGINEER)
    assert refused.value.errors == {"knowledge": "Enter at least one note for support"}
    with pytest.raises(support_notes.InvalidNotes) as refused:
        support_notes.save(db, engagement_id, support_notes.NotesForm(network="a\x00b"), ENGINEER)
    assert refused.value.errors == {
        "network": "Network complications and oddities: remove the unusual characters from your "
        "answer"
    }
    saved = support_notes.save(
        db, engagement_id, support_notes.NotesForm(left_as="Left live."), "lee@loadbalancer.org"
    )
    assert (saved.left_as, saved.knowledge, saved.updated_by) == (
        "Left live.", "", "lee@loadbalancer.org"
    )  # fmt: skip
    _accept(db, services, engagement_id)
    with pytest.raises(support_notes.NotesClosed):
        support_notes.save(db, engagement_id, support_notes.NotesForm(left_as="x"), ENGINEER)


def test_two_acceptances_at_once_complete_the_engagement_once(
    postgres_only: str, make: Factory, db: Session, services: Context
) -> None:
    """Two acceptance transactions racing (a double click on two servers): one completion, one
    document job, one webhook delivery; the other finds the engagement complete and adds
    nothing."""
    context = replace(services, settings=replace(services.settings, closeout=CloseoutSettings(
        webhook_url=NEVER_POSTED, webhook_secret="x", webhook_private_addresses=True)))  # fmt: skip
    engagement_id = delivered(make, db)
    barrier = threading.Barrier(6)

    def accept() -> None:
        own = Database(postgres_only)
        with own.session() as session:
            barrier.wait()
            closeout.on_acceptance_document_accepted(session, context, engagement_id, CUSTOMER)
            session.commit()
        own.dispose()

    threads = [threading.Thread(target=accept) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.scalar(select(func.count()).select_from(EngagementCompletion)) == 1
    assert db.scalar(select(func.count()).select_from(OutgoingWebhook)) == 1
    kinds = db.scalars(select(Job.kind).where(Job.kind == support_document.DOCUMENT_JOB)).all()
    assert len(kinds) == 1
    moves = db.scalars(select(AuditEvent).where(AuditEvent.action == closeout.COMPLETE_ACTION))
    assert len(moves.all()) == 1


def test_recorded_functional_tests_reach_the_document_and_the_record(
    make: Factory, db: Session, services: Context
) -> None:
    engagement_id = delivered(make, db)
    for outcome in ("pass", "fail"):
        db.add(FunctionalTest(
            engagement_id=engagement_id, target_kind="virtual_service", target_name="PACS viewer",
            what_tested="Failover", expected="Sessions kept", actual=f"It went {outcome}",
            outcome=outcome, tested_on=date(2026, 12, 1), recorded_by=ENGINEER,
        ))  # fmt: skip
    db.commit()
    _accept(db, services, engagement_id)
    found = support_document.find(services.settings, db, services, engagement_id, "md")
    assert isinstance(found, support_document.Inline)
    markdown = found.body.decode()
    assert "| PACS viewer | Failover | Sessions kept | It went pass | Passed | 2026-12-01 |" in (
        markdown
    )
    assert "| It went fail | Failed |" in markdown
    record = closeout.record_of(db, services, engagement_id)
    assert record["tests"] == {
        "passed": 1, "total": 2,
        "results": [
            {"target_kind": "virtual_service", "target": "PACS viewer", "passed": True},
            {"target_kind": "virtual_service", "target": "PACS viewer", "passed": False},
        ],
    }  # fmt: skip
