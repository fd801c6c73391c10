"""The Customer PS Acceptance Document through the SoW's own review-and-acceptance mechanism:
generated from the records, sent with its PDF and a link of its own, changes asked for, accepted
with the hash of the PDF sent, its record, superseded links, and parallel acceptances."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import (
    acceptance_record,
    acceptances,
    closeout,
    ps_acceptance,
    review_customer,
    sow_desk,
)
from questionnaire.services.context import Context
from questionnaire.services.document_kinds import PS_ACCEPTANCE, SOW
from questionnaire.services.review_state import ReviewState
from questionnaire.store import handover
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Export,
    OutgoingEmail,
    Response,
    RevisionRequest,
)
from questionnaire.store.reviews import Acceptance, ReviewLink

from .factories import Factory
from .pdr_support import accepted
from .sow_support import CONTACT, ENGINEER, VISITOR, form, latest_token, run

SENT = "ps_acceptance_sent"


@pytest.fixture
def completions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Close-out's entry point, watched: what it was called with (it still runs)."""
    calls: list[tuple[int, str]] = []
    real = closeout.on_acceptance_document_accepted

    def watched(db: Session, context: Context, engagement_id: int, accepted_by: str) -> None:
        calls.append((engagement_id, accepted_by))
        real(db, context, engagement_id, accepted_by)

    monkeypatch.setattr(closeout, "on_acceptance_document_accepted", watched)
    return calls


def _generated(make: Factory, db: Session, services: Context, database: Database) -> int:
    """An engagement whose SoW was accepted, with its acceptance document's revision 1 made
    and exported."""
    engagement_id = accepted(make, db, services, database)
    ps_acceptance.generate(db, services, engagement_id, ENGINEER)
    run(services, database)
    db.rollback()
    return engagement_id


def _sent(db: Session, services: Context, database: Database, engagement_id: int, n: int) -> str:
    ps_acceptance.send(db, engagement_id, n, *CONTACT, ENGINEER)
    run(services, database)
    db.rollback()
    return latest_token(db, services, SENT)


def _emails(db: Session, template: str) -> list[OutgoingEmail]:
    return list(db.scalars(select(OutgoingEmail).where(OutgoingEmail.template == template)).all())


def _actions(db: Session, action: str) -> int:
    return db.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_generating_writes_the_document_from_the_records_as_a_draft_of_its_own(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _generated(make, db, services, database)
    page = ps_acceptance.workspace(db, engagement_id)
    assert page.draft is not None and page.current is not None
    assert page.draft.kind == PS_ACCEPTANCE.name and page.draft.response_id is None
    text = page.current.markdown
    assert text.startswith("# Customer PS Acceptance Document: Acme Health")
    assert "Revision 1 of the Statement of Work, accepted by Jo Customer on" in text
    assert "No functional test has been recorded yet." in text
    assert "The validation questionnaire has not been submitted." in text
    assert "## Acceptance" in text
    assert page.exports == {"pdf": None, "docx": None, "html": None}  # made by the worker
    # The SoW is where it was: still the engagement's SoW, still accepted.
    _, sow_draft = sow_desk.draft(db, engagement_id)
    assert sow_draft.kind == SOW.name and sow_draft.id != page.draft.id
    again = ps_acceptance.generate(db, services, engagement_id, ENGINEER)
    assert again.number == 2 and _actions(db, "ps_acceptance.save") == 2


def test_the_sow_is_still_found_once_the_validation_questionnaire_has_a_response(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    """The validation questionnaire's response comes after the SoW's: it has no draft."""
    engagement_id = accepted(make, db, services, database)
    _, sow_draft = sow_desk.draft(db, engagement_id)
    first = db.get(Response, sow_draft.response_id)
    assert first is not None
    db.add(Response(engagement_id=engagement_id, definition_id="validation",
                    definition_sha256=first.definition_sha256, answers={}))  # fmt: skip
    db.commit()
    db.expire_all()
    assert sow_desk.draft(db, engagement_id)[1].id == sow_draft.id
    text = ps_acceptance.generate(db, services, engagement_id, ENGINEER).markdown
    assert "Revision 1 of the Statement of Work, accepted by Jo Customer" in text


def test_the_functional_tests_recorded_are_in_the_document(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    db.add(handover.FunctionalTest(engagement_id=engagement_id, target_kind="virtual_service", target_name="web",
                 what_tested="Failover | to the secondary", expected="Served", actual="Served",
                 outcome="pass", tested_on=date(2026, 11, 30), recorded_by=ENGINEER))  # fmt: skip
    db.commit()
    text = ps_acceptance.generate(db, services, engagement_id, ENGINEER).markdown
    assert "| web | Failover \\| to the secondary | Served | Served | Pass | 30 Nov 2026 |" in text


def test_a_revision_goes_by_email_with_its_pdf_and_a_link_of_its_own(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _generated(make, db, services, database)
    token = _sent(db, services, database, engagement_id, 1)
    [email] = _emails(db, SENT)
    assert email.attachments[0]["filename"] == "PS-Acceptance-Acme-Health-r1.pdf"
    assert email.recipients[0]["address"] == CONTACT[1]
    opened = review_customer.open_review(db, services, token)
    assert opened.kind is PS_ACCEPTANCE and opened.revision.draft.kind == "ps_acceptance"
    # The SoW's link (accepted through) is not ended by the other document's send.
    links = db.scalars(select(ReviewLink).order_by(ReviewLink.id)).all()
    assert len(links) == 2 and all(link.revoked_at is None for link in links)
    assert _actions(db, "ps_acceptance.send") == 1 and _actions(db, "ps_acceptance.sent") == 1


def test_the_customer_asks_for_changes_and_the_engineers_are_told(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _generated(make, db, services, database)
    token = _sent(db, services, database, engagement_id, 1)
    posted = review_customer.ChangeRequest("Name the second VIP", {1: "Add our PO number"})
    request = review_customer.request_changes(db, services, token, posted)
    page = ps_acceptance.workspace(db, engagement_id)
    assert page.draft is not None and request.draft_id == page.draft.id
    [email] = _emails(db, "ps_acceptance_changes_requested")
    assert "revision 1 of the PS acceptance document" in email.subject
    assert page.review is not None and page.review.customer_requests[0].comment == posted.comment
    assert db.scalar(select(func.count()).select_from(RevisionRequest)) == 1


def test_an_acceptance_records_the_hash_of_the_pdf_sent_and_completes_the_engagement(
    make: Factory,
    db: Session,
    services: Context,
    database: Database,
    completions: list[tuple[int, str]],
) -> None:
    engagement_id = _generated(make, db, services, database)
    token = _sent(db, services, database, engagement_id, 1)
    planned_moves = _actions(db, "board.move")
    acceptance = acceptances.accept(db, services, token, form(), VISITOR)
    draft = ps_acceptance.workspace(db, engagement_id).draft
    assert draft is not None and acceptance.draft_id == draft.id
    pdf = db.scalars(
        select(Export).where(Export.revision_id == acceptance.revision_id, Export.format == "pdf")
    ).one()
    assert pdf.stored_name is not None
    body = (services.settings.export_dir / pdf.stored_name).read_bytes()
    assert acceptance.document_sha256 == hashlib.sha256(body).hexdigest()
    assert acceptance.document_name == "PS-Acceptance-Acme-Health-r1.pdf"
    assert (acceptance.ip_address, acceptance.full_name) == ("203.0.113.7", "Jo Customer")
    assert completions == [(engagement_id, "Jo Customer")]
    assert _actions(db, "ps_acceptance.accepted") == 1
    assert _actions(db, "board.move") >= planned_moves  # no second move to Planned
    assert len(_emails(db, "ps_acceptance_accepted")) == 1
    with pytest.raises(sow_desk.SowAccepted, match="Customer PS Acceptance Document"):
        ps_acceptance.send(db, engagement_id, 1, *CONTACT, ENGINEER)
    run(services, database)  # the record, then its email
    db.rollback()
    stored = db.get(Acceptance, acceptance.id)
    assert stored is not None
    found = acceptance_record.find_record(services.settings, stored, "Acme Health")
    assert found is not None and found.filename == "PS-Acceptance-acceptance-Acme-Health-r1.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(found.path.read_bytes())).pages)
    assert "Acceptance of the Customer PS Acceptance Document" in text
    assert acceptance.document_sha256 in text.replace("\n", "")
    [confirmed] = _emails(db, "ps_acceptance_confirmed")
    assert confirmed.attachments[0]["filename"] == found.filename


def test_a_link_to_an_older_revision_is_superseded(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _generated(make, db, services, database)
    first = _sent(db, services, database, engagement_id, 1)
    ps_acceptance.generate(db, services, engagement_id, ENGINEER)
    run(services, database)
    newer = _sent(db, services, database, engagement_id, 2)
    with pytest.raises(review_customer.ReviewRefused) as refused:
        acceptances.accept(db, services, first, form(), VISITOR)
    assert refused.value.state is ReviewState.SUPERSEDED
    assert refused.value.title == PS_ACCEPTANCE.title
    assert review_customer.open_review(db, services, newer).revision.number == 2


def test_twenty_parallel_acceptances_record_one(
    postgres_only: str,
    make: Factory,
    db: Session,
    services: Context,
    database: Database,
    completions: list[tuple[int, str]],
) -> None:
    engagement_id = _generated(make, db, services, database)
    token = _sent(db, services, database, engagement_id, 1)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def accept(n: int) -> None:
        own = Database(postgres_only)
        with own.writer() as session:
            barrier.wait()
            try:
                acceptances.accept(session, services, token, form(f"Person {n}"), VISITOR)
                outcomes.append("accepted")
            except review_customer.AlreadyAccepted:
                outcomes.append("already")
        own.dispose()

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.rollback()
    assert sorted(outcomes) == ["accepted"] + ["already"] * 19
    assert db.scalar(select(func.count()).select_from(Acceptance)) == 2  # the SoW's and this one
    assert len(_emails(db, "ps_acceptance_accepted")) == 1
    assert [engagement for engagement, _ in completions] == [engagement_id]
