"""Sending a SoW revision to the customer, the review link's states, and change requests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from questionnaire.services import board, review_customer, review_links, sow, sow_desk
from questionnaire.services.context import Context
from questionnaire.services.review_state import ReviewState, state_of
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Base,
    Engagement,
    Export,
    ExportStatus,
    Job,
    OutgoingEmail,
    PipelineStage,
    RevisionRequest,
    SowRevision,
)
from questionnaire.store.reviews import ReviewLink
from tests.sent_mail import text_as_sent

from .factories import Factory
from .sow_support import CONTACT, ENGINEER, drafted, latest_token, new_revision, run, send, sent


def _emails(db: Session, template: str) -> list[OutgoingEmail]:
    return list(db.scalars(select(OutgoingEmail).where(OutgoingEmail.template == template)).all())


def test_sending_emails_the_pdf_and_a_review_link_and_marks_the_revision_sent(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    [email] = _emails(db, "sow_sent")
    assert [r["address"] for r in email.recipients] == [CONTACT[1]]
    assert "revision 1" in email.subject and email.reply_to == ENGINEER
    assert f"https://questionnaire.example.com/s/{token}/" in text_as_sent(services, email)
    assert token not in email.text_body and token not in email.html_body  # sealed, stored
    pdf = db.scalars(select(Export).where(Export.format == "pdf")).one()
    [attachment] = email.attachments
    assert attachment["stored_name"] == pdf.stored_name
    assert attachment["filename"] == "SoW-Acme-Health-r1.pdf"
    assert attachment["media_type"] == "application/pdf"
    revision = db.scalars(select(SowRevision)).one()
    assert revision.sent_at is not None
    engagement = db.get(Engagement, engagement_id)
    assert engagement is not None and engagement.pipeline_stage == PipelineStage.STATEMENT_OF_WORK
    opened = review_customer.open_review(db, services, token)
    assert opened.revision.number == 1 and opened.acceptance is None


def test_the_board_card_says_which_revision_awaits_the_customer(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    sent(db, services, database, engagement_id, 1)
    [card] = [c for column in board.board(db, board.BoardFilter()).columns for c in column.cards]
    assert card.next_action == "SoW revision 1 sent today, awaiting the customer"


def test_only_a_hash_of_the_review_token_is_stored(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    """Security plan #2: a dump of every table after the send holds no review token."""
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    link = db.scalars(select(ReviewLink)).one()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    for table in Base.metadata.sorted_tables:
        values = [str(value) for row in db.execute(select(table)) for value in row]
        assert not any(token in value for value in values), table.name  # (a Row's repr cuts)


def test_the_review_link_expires_after_the_configured_days(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    sent(db, services, database, engagement_id, 1)
    link = db.scalars(select(ReviewLink)).one()
    assert link.expires_at - link.created_at == timedelta(days=30)


def test_a_send_waits_while_the_pdf_is_being_made(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    number = new_revision(db, engagement_id)  # its exports are queued, not made yet
    send(db, engagement_id, number)
    payload = db.scalars(select(Job.payload).where(Job.kind == "sow.send")).one()
    with pytest.raises(review_links.PdfNotReady):
        review_links.run_send(services, db, payload)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(ReviewLink)) == 0
    status = sow_desk.workspace(db, engagement_id)
    assert status is not None and status.review.pending is not None
    assert status.review.pending.failed is None  # waiting, not failed
    run(services, database)  # the exports, then the send
    db.rollback()
    assert len(_emails(db, "sow_sent")) == 1


def test_a_pdf_that_failed_fails_the_send_for_good_and_says_why(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    db.execute(
        update(Export)
        .where(Export.format == "pdf")
        .values(status=ExportStatus.FAILED, error="the document is too large")
    )
    db.commit()
    send(db, engagement_id, 1)
    [outcome] = [o for o in run(services, database) if o.kind == "sow.send"]
    db.rollback()
    assert not outcome.ok and outcome.error and "too large" in outcome.error
    workspace = sow_desk.workspace(db, engagement_id)
    assert workspace is not None and workspace.review.pending is not None
    assert "could not be made" in (workspace.review.pending.failed or "")
    assert _emails(db, "sow_sent") == []


def test_only_the_latest_revision_is_sent(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    new_revision(db, engagement_id)
    with pytest.raises(review_links.NotLatest):
        send(db, engagement_id, 1)
    assert db.scalar(select(func.count()).where(Job.kind == "sow.send")) == 0


def test_a_newer_revision_supersedes_the_link_to_the_older_one(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    first = sent(db, services, database, engagement_id, 1)
    second = sent(db, services, database, engagement_id, new_revision(db, engagement_id))
    with pytest.raises(review_customer.ReviewRefused) as refused:
        review_customer.open_review(db, services, first)
    assert refused.value.state is ReviewState.SUPERSEDED
    assert refused.value.contact == review_customer.Contact("Eve Engineer", ENGINEER)
    assert review_customer.open_review(db, services, second).revision.number == 2


def test_sending_the_same_revision_again_ends_the_older_link(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    first = sent(db, services, database, engagement_id, 1)
    second = sent(db, services, database, engagement_id, 1)
    with pytest.raises(review_customer.ReviewRefused) as refused:
        review_customer.open_review(db, services, first)
    assert refused.value.state is ReviewState.REVOKED
    assert review_customer.open_review(db, services, second).revision.number == 1


def test_a_send_asked_for_again_before_the_worker_ran_makes_one_link(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    send(db, engagement_id, 1)
    send(db, engagement_id, 1, ("Jo Customer", "jo.new@acme.example.com"))
    run(services, database)
    db.rollback()
    [email] = _emails(db, "sow_sent")  # the older send's job saw the newer one and stood down
    assert email.recipients[0]["address"] == "jo.new@acme.example.com"
    assert db.scalar(select(func.count()).select_from(ReviewLink)) == 1


def test_a_revision_marked_sent_by_hand_supersedes_the_emailed_link(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    number = new_revision(db, engagement_id)
    assert sow_desk.mark_sent(db, engagement_id, number, ENGINEER)
    with pytest.raises(review_customer.ReviewRefused) as refused:
        review_customer.open_review(db, services, token)
    assert refused.value.state is ReviewState.SUPERSEDED


def test_an_expired_link_is_refused_and_names_whom_to_ask(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    db.execute(text("UPDATE sow_review_links SET expires_at = created_at"))
    db.commit()
    with pytest.raises(review_customer.ReviewRefused) as refused:
        review_customer.open_review(db, services, token)
    assert refused.value.state is ReviewState.EXPIRED
    assert refused.value.contact is not None and refused.value.contact.address == ENGINEER


@pytest.mark.parametrize("token", ["", "x" * 42, "x" * 44, "A" * 42 + "'", "é" * 43])
def test_a_token_of_the_wrong_shape_is_unknown(services: Context, db: Session, token: str) -> None:
    with pytest.raises(review_customer.ReviewRefused) as refused:
        review_customer.open_review(db, services, token)
    assert refused.value.state is ReviewState.UNKNOWN


def test_the_states_of_a_link() -> None:
    def state(**facts: object) -> ReviewState:
        given = {"revision": 2, "latest_sent": 2, "revoked": False, "expired": False,
                 "accepted_revision": None, **facts}  # fmt: skip
        return state_of(**given)  # type: ignore[arg-type]

    assert state() is ReviewState.ACTIVE
    assert state(latest_sent=3) is ReviewState.SUPERSEDED
    assert state(latest_sent=3, revoked=True, expired=True) is ReviewState.SUPERSEDED
    assert state(revoked=True) is ReviewState.REVOKED
    assert state(expired=True) is ReviewState.EXPIRED
    assert state(accepted_revision=2) is ReviewState.ACCEPTED
    assert state(accepted_revision=2, expired=True) is ReviewState.EXPIRED


def test_marking_sent_twice_from_stale_sessions_records_one_send(
    postgres_only: str, make: Factory, db: Session, services: Context, database: Database
) -> None:
    """Two engineers' requests both loaded the revision unsent: one marks it, one does not."""
    engagement_id = drafted(make, db, services, database)
    with database.writer() as first, database.writer() as second:
        one = sow_desk.revision(first, engagement_id, 1)[2]
        two = sow_desk.revision(second, engagement_id, 1)[2]
        assert one.sent_at is None and two.sent_at is None
        assert sow.mark_sent(first, one, ENGINEER) is True
        assert sow.mark_sent(second, two, "other@example.com") is False
    assert db.scalar(select(func.count()).where(AuditEvent.action == "sow.sent")) == 1


# -- change requests --------------------------------------------------------------------------------


def test_a_change_request_is_stored_by_section_emails_the_engineer_and_keeps_the_stage(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    opened = review_customer.open_review(db, services, token)
    sections = opened.sections
    assert "Scope" in sections
    scope = sections.index("Scope") + 1
    posted = review_customer.ChangeRequest("Please add the DR site.", {scope: "Two VIPs, not one."})
    review_customer.request_changes(db, services, token, posted)
    request = db.scalars(select(RevisionRequest)).one()
    assert request.from_customer and request.note == "Please add the DR site."
    assert request.sections == [{"section": "Scope", "comment": "Two VIPs, not one."}]
    assert request.revision_id == opened.revision.id
    [email] = _emails(db, "sow_changes_requested")
    assert [r["address"] for r in email.recipients] == [ENGINEER]
    assert "Scope: Two VIPs, not one." in email.text_body
    assert "arrange another call" not in email.text_body
    engagement = db.get(Engagement, engagement_id)
    assert engagement is not None and engagement.pipeline_stage == PipelineStage.STATEMENT_OF_WORK
    workspace = sow_desk.workspace(db, engagement_id)
    assert workspace is not None and not workspace.review.advise_call
    [asked] = workspace.review.customer_requests
    assert asked.revision == 1 and asked.sections == request.sections


def test_an_empty_or_oversized_change_request_stores_nothing(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    for posted, field in [
        (review_customer.ChangeRequest(" \x00 ", {1: "\t"}), "comment"),
        (review_customer.ChangeRequest("x" * 5001), "comment"),
        (review_customer.ChangeRequest("", {2: "y" * 5001}), "section-2"),
    ]:
        with pytest.raises(review_customer.InvalidRequest) as invalid:
            review_customer.request_changes(db, services, token, posted)
        assert list(invalid.value.errors) == [field]
    assert db.scalar(select(func.count()).select_from(RevisionRequest)) == 0
    assert _emails(db, "sow_changes_requested") == []


def test_from_the_second_change_request_the_engineer_is_advised_to_arrange_a_call(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    review_customer.request_changes(db, services, token, review_customer.ChangeRequest("First."))
    token = sent(db, services, database, engagement_id, new_revision(db, engagement_id))
    review_customer.request_changes(db, services, token, review_customer.ChangeRequest("Again."))
    emails = _emails(db, "sow_changes_requested")
    assert ["arrange another call" in e.text_body for e in emails] == [False, True]
    workspace = sow_desk.workspace(db, engagement_id)
    assert workspace is not None and workspace.review.advise_call
    assert [r.comment for r in workspace.review.customer_requests] == ["Again.", "First."]
    [card] = [c for column in board.board(db, board.BoardFilter()).columns for c in column.cards]
    assert card.next_action.startswith("the customer asked for changes to SoW revision 2")


def test_a_superseded_link_takes_no_change_request(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    first = sent(db, services, database, engagement_id, 1)
    sent(db, services, database, engagement_id, new_revision(db, engagement_id))
    with pytest.raises(review_customer.ReviewRefused):
        review_customer.request_changes(db, services, first, review_customer.ChangeRequest("Hm."))
    assert db.scalar(select(func.count()).select_from(RevisionRequest)) == 0
    assert latest_token(db, services) != first
