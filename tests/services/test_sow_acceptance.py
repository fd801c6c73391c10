"""The customer accepts a sent revision: what is recorded, what follows, and the races."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import acceptances, review_customer, review_links, sow, sow_desk
from questionnaire.services.context import Context
from questionnaire.services.review_state import ReviewState
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    Export,
    OutgoingEmail,
    PipelineStage,
    SowRevision,
)
from questionnaire.store.reviews import Acceptance

from .factories import Factory
from .sow_support import (
    BROWSER,
    CONTACT,
    ENGINEER,
    SALES,
    VISITOR,
    drafted,
    form,
    new_revision,
    run,
    sent,
)


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _emails(db: Session, template: str) -> list[OutgoingEmail]:
    return list(db.scalars(select(OutgoingEmail).where(OutgoingEmail.template == template)).all())


def test_an_acceptance_records_who_when_where_and_the_hash_of_the_pdf_sent(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    visitor = acceptances.Visitor("203.0.113.7", BROWSER + "\x00" + "x" * 600)
    acceptance = acceptances.accept(db, services, token, form("  Jo   Customer "), visitor)
    pdf = db.scalars(select(Export).where(Export.format == "pdf")).one()
    [email] = _emails(db, "sow_sent")
    assert email.attachments[0]["stored_name"] == pdf.stored_name  # the file they were sent
    stored = (services.settings.export_dir / str(pdf.stored_name)).read_bytes()
    assert acceptance.document_sha256 == hashlib.sha256(stored).hexdigest()
    assert acceptance.document_name == "SoW-Acme-Health-r1.pdf"
    assert (acceptance.full_name, acceptance.job_title) == ("Jo Customer", "Head of IT")
    assert acceptance.authorised and acceptance.ip_address == "203.0.113.7"
    assert acceptance.user_agent.startswith(BROWSER) and len(acceptance.user_agent) == 500
    assert "\x00" not in acceptance.user_agent
    assert acceptance.revision.number == 1 and acceptance.accepted_at is not None


def test_an_acceptance_moves_the_card_to_planned_and_emails_the_engineer_and_sales(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    acceptances.accept(db, services, token, form(), VISITOR)
    engagement = db.get(Engagement, engagement_id)
    assert engagement is not None and engagement.pipeline_stage == PipelineStage.PLANNED
    move = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "board.move").order_by(AuditEvent.id.desc())
    ).first()
    assert move is not None and move.actor == "Jo Customer (customer)"
    assert move.detail["target"] == "planned" and "accepted revision 1" in move.detail["reason"]
    [email] = _emails(db, "sow_accepted")
    assert [r["address"] for r in email.recipients] == [ENGINEER, SALES]
    assert "Jo Customer (Head of IT) accepted revision 1" in email.text_body


def test_the_acceptance_record_quotes_the_hash_and_goes_to_the_customer(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    acceptance = acceptances.accept(db, services, token, form("<b>Jo</b> *Customer*"), VISITOR)
    run(services, database)
    db.rollback()
    db.refresh(acceptance)
    assert acceptance.record_stored_name is not None
    record = (services.settings.export_dir / acceptance.record_stored_name).read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(record)).pages)
    assert acceptance.document_sha256 in text.replace("\n", "")
    assert "<b>Jo</b> *Customer*" in text  # the name as typed, as text
    assert "203.0.113.7" in text and "SoW-Acme-Health-r1.pdf" in text
    [email] = _emails(db, "sow_acceptance_confirmed")
    assert [r["address"] for r in email.recipients] == [CONTACT[1]]
    assert email.attachments[0]["stored_name"] == acceptance.record_stored_name
    assert acceptance.document_sha256 in email.text_body


def test_an_accepted_sow_takes_no_second_acceptance_no_change_request_and_no_send(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    acceptances.accept(db, services, token, form(), VISITOR)
    with pytest.raises(review_customer.AlreadyAccepted) as again:
        acceptances.accept(db, services, token, form("Someone Else"), VISITOR)
    assert again.value.acceptance.full_name == "Jo Customer"
    with pytest.raises(review_customer.AlreadyAccepted):
        review_customer.request_changes(db, services, token, review_customer.ChangeRequest("Late."))
    number = new_revision(db, engagement_id)
    with pytest.raises(sow_desk.SowAccepted):
        review_links.send(db, engagement_id, number, *CONTACT, ENGINEER)
    with pytest.raises(sow_desk.SowAccepted):
        sow_desk.mark_sent(db, engagement_id, number, ENGINEER)
    assert review_customer.open_review(db, services, token).acceptance is not None
    assert _count(db, Acceptance) == 1 and len(_emails(db, "sow_accepted")) == 1


def test_only_the_latest_sent_revision_can_be_accepted(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    first = sent(db, services, database, engagement_id, 1)
    sent(db, services, database, engagement_id, new_revision(db, engagement_id))
    with pytest.raises(review_customer.ReviewRefused) as refused:
        acceptances.accept(db, services, first, form(), VISITOR)
    assert refused.value.state is ReviewState.SUPERSEDED
    assert _count(db, Acceptance) == 0


def test_each_missing_answer_is_named_and_nothing_is_stored(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    blank = acceptances.AcceptanceForm(" ", "\x00", False)
    with pytest.raises(acceptances.InvalidAcceptance) as invalid:
        acceptances.accept(db, services, token, blank, VISITOR)
    assert invalid.value.errors == {
        "full_name": "Enter your full name",
        "job_title": "Enter your job title",
        "authorised": "Confirm that you may accept this Statement of Work on behalf of Acme Health",
    }
    too_long = acceptances.AcceptanceForm("x" * 201, "CTO", True)
    with pytest.raises(acceptances.InvalidAcceptance) as invalid:
        acceptances.accept(db, services, token, too_long, VISITOR)
    assert list(invalid.value.errors) == ["full_name"]
    assert _count(db, Acceptance) == 0


def _accept_at_once(url: str, services: Context, token: str, count: int) -> list[str]:
    """``count`` acceptances of one link, each in its own session, released together."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        own = Database(url)
        with own.writer() as session:
            barrier.wait()
            try:
                acceptances.accept(session, services, token, form(f"Person {n}"), VISITOR)
                outcomes.append("accepted")
            except review_customer.AlreadyAccepted:
                outcomes.append("already accepted")
        own.dispose()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_twenty_parallel_acceptances_record_one_and_queue_one_set_of_emails(
    make: Factory, db: Session, services: Context, database: Database, database_url: str
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    outcomes = _accept_at_once(database_url, services, token, 20)
    assert sorted(outcomes) == ["accepted"] + ["already accepted"] * 19
    db.rollback()
    assert _count(db, Acceptance) == 1
    assert len(_emails(db, "sow_accepted")) == 1
    assert db.scalar(select(func.count()).where(AuditEvent.action == "sow.accepted")) == 1
    moves = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "board.move")).all()
    assert [m["target"] for m in moves].count("planned") == 1
    run(services, database)
    db.rollback()
    assert len(_emails(db, "sow_acceptance_confirmed")) == 1


def test_an_acceptance_waits_for_a_send_of_a_newer_revision_and_then_finds_it_superseded(
    postgres_only: str, make: Factory, db: Session, services: Context, database: Database
) -> None:
    """The send holds the engagement's lock; the acceptance takes it too, so it waits, then
    sees the committed send: its revision is no longer the latest sent (PostgreSQL locks)."""
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    number = new_revision(db, engagement_id)
    finished = threading.Event()
    outcome: list[BaseException | None] = []

    def accept() -> None:
        own = Database(postgres_only)
        with own.writer() as session:
            try:
                acceptances.accept(session, services, token, form(), VISITOR)
                outcome.append(None)
            except (review_customer.ReviewRefused, review_customer.AlreadyAccepted) as exc:
                outcome.append(exc)
        own.dispose()
        finished.set()

    with database.writer() as sender:  # a send, between taking the lock and committing
        sow_desk.lock(sender, engagement_id)
        thread = threading.Thread(target=accept)
        thread.start()
        assert not finished.wait(1.0)  # the acceptance waits for the engagement ...
        review_links.end_open_links(sender, engagement_id, ENGINEER, reason="sent again")
        revision = sow_desk.revision(sender, engagement_id, number)[2]
        sow.note_sent(sender, revision, ENGINEER, how="email")
        sender.commit()
    thread.join()
    [refused] = outcome
    assert isinstance(refused, review_customer.ReviewRefused)
    assert refused.state is ReviewState.SUPERSEDED
    assert _count(db, Acceptance) == 0


def test_an_acceptance_and_a_newer_send_at_once_one_wins_cleanly(
    postgres_only: str, make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    number = new_revision(db, engagement_id)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept() -> None:
        own = Database(postgres_only)
        with own.writer() as session:
            barrier.wait()
            try:
                acceptances.accept(session, services, token, form(), VISITOR)
                outcomes["accept"] = "won"
            except review_customer.ReviewRefused:
                outcomes["accept"] = "refused"
        own.dispose()

    def send() -> None:
        own = Database(postgres_only)
        with own.writer() as session:
            barrier.wait()
            try:
                review_links.send(session, engagement_id, number, *CONTACT, ENGINEER)
                outcomes["send"] = "won"
            except sow_desk.SowAccepted:
                outcomes["send"] = "refused"
        own.dispose()

    threads = [threading.Thread(target=accept), threading.Thread(target=send)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    db.rollback()
    newer = db.scalars(select(SowRevision).where(SowRevision.number == number)).one()
    if outcomes["accept"] == "won":
        assert newer.sent_at is None and _count(db, Acceptance) == 1
    else:
        assert newer.sent_at is not None and _count(db, Acceptance) == 0
