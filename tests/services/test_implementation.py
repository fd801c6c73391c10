"""Implementation sessions: recorded with the seed's "Complete?", which drives the board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import board, implementation, pdr_desk
from questionnaire.services.context import Context
from questionnaire.services.document_kinds import PS_ACCEPTANCE
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    PipelineStage,
    SowDraft,
    SowRevision,
    User,
    utcnow,
)

from .factories import Factory
from .pdr_support import accepted
from .sow_support import ENGINEER

WEB = {"name": "web", "vip": "10.0.0.10"}


def _form(db: Session, **changes: str) -> implementation.SessionForm:
    eve = db.scalars(select(User).where(User.email == ENGINEER)).one()
    values = {"held_on": "2026-12-01", "engineer_id": str(eve.id), "days_used": "1.5", "notes": "Built the VIPs.",
              "complete": "no", **changes}  # fmt: skip
    return implementation.SessionForm(**values)


def _stage(db: Session, engagement_id: int) -> str:
    db.expire_all()
    engagement = db.get(Engagement, engagement_id)
    assert engagement is not None
    return engagement.pipeline_stage


def _moves(db: Session, engagement_id: int) -> list[tuple[str, str]]:
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.engagement_id == engagement_id)
        .order_by(AuditEvent.id)
    )  # fmt: skip
    return [(e.action, str(e.detail.get("reason") or "")) for e in events
            if e.action in ("board.move", implementation.COMPLETE_ACTION)]  # fmt: skip


def test_a_session_not_complete_moves_the_card_to_in_progress(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    assert _stage(db, engagement_id) == PipelineStage.PLANNED
    pdr_desk.create(db, engagement_id, ENGINEER)
    pdr_desk.save_row(db, engagement_id, "virtual_services.new", WEB, 1, ENGINEER)
    session = implementation.record(db, engagement_id, _form(db), ENGINEER)
    assert (session.revision_before, session.revision_after, session.complete) == (1, 2, False)
    assert session.engineer_name == "Eve Engineer" and session.booking_id is None
    assert _stage(db, engagement_id) == PipelineStage.IN_PROGRESS
    assert _moves(db, engagement_id)[-1] == (
        "board.move", "an implementation session was held; more are needed"
    )  # fmt: skip


def test_the_session_that_completes_it_records_validation_next(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    implementation.record(db, engagement_id, _form(db), ENGINEER)
    pdr_desk.save_row(db, engagement_id, "virtual_services.new", WEB, 1, ENGINEER)
    pdr_desk.save_row(db, engagement_id, "ha.new", {"name": "lb1"}, 2, ENGINEER)
    second = implementation.record(db, engagement_id, _form(db, complete="yes"), ENGINEER)
    # It starts where the first left the PDR and ends at its latest revision.
    assert (second.revision_before, second.revision_after, second.complete) == (1, 3, True)
    assert _stage(db, engagement_id) == PipelineStage.IN_PROGRESS
    assert _moves(db, engagement_id)[-1] == (
        implementation.COMPLETE_ACTION,
        "implementation complete: validation by the customer is next",
    )
    assert [s.complete for s in implementation.sessions(db, engagement_id)] == [False, True]


def test_each_field_refused_says_why_and_nothing_is_recorded(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    bad = _form(db, held_on="2026-02-30", engineer_id="2147483648", booking_id="9",
                days_used="one", notes=" ", complete="maybe")  # fmt: skip
    with pytest.raises(implementation.InvalidSession) as refused:
        implementation.record(db, engagement_id, bad, ENGINEER)
    assert refused.value.errors == {
        "held_on": "Enter a real date in the format 2026-11-30",
        "engineer_id": "Select the engineer who held the session",
        "booking_id": "Select one of this engagement's booked sessions, or none",
        "days_used": "Enter the days used as a number of days, such as 1 or 0.5",
        "notes": "Enter what was done in the session",
        "complete": "Select yes if the implementation is complete, or no",
    }
    assert implementation.sessions(db, engagement_id) == []
    assert _stage(db, engagement_id) == PipelineStage.PLANNED


def test_a_session_without_a_pdr_names_no_revisions(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    with pytest.raises(implementation.InvalidSession) as refused:
        implementation.record(db, engagement_id, _form(db, notes="a\x00b"), ENGINEER)
    assert refused.value.errors == {"notes": "Remove the unusual characters from your answer"}
    recorded = implementation.record(db, engagement_id, _form(db), ENGINEER)
    assert (recorded.revision_before, recorded.revision_after) == (None, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the days used as a number of days, such as 1 or 0.5"),
        ("1.25", "Enter the days used in half days, such as 1 or 1.5"),
        ("0", "Days used must be between 0.5 and 100"),
        ("101", "Days used must be between 0.5 and 100"),
    ],
)
def test_days_used_are_half_days_and_the_refusal_names_the_field(
    make: Factory, db: Session, services: Context, database: Database, typed: str, message: str
) -> None:
    engagement_id = accepted(make, db, services, database)
    with pytest.raises(implementation.InvalidSession) as refused:
        implementation.record(db, engagement_id, _form(db, days_used=typed), ENGINEER)
    assert refused.value.errors == {"days_used": message}
    recorded = implementation.record(db, engagement_id, _form(db, days_used=" 2.5 "), ENGINEER)
    assert recorded.days_used == 2.5


def _card_says(db: Session, engagement_id: int) -> str:
    db.expire_all()
    cards = [c for col in board.board(db, board.BoardFilter()).columns for c in col.cards]
    return next(card.next_action for card in cards if card.id == engagement_id)


def test_after_complete_yes_the_card_says_validation_not_implementation(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    implementation.record(db, engagement_id, _form(db), ENGINEER)
    assert _card_says(db, engagement_id) == "implementation under way"
    implementation.record(db, engagement_id, _form(db, complete="yes"), ENGINEER)
    assert _card_says(db, engagement_id) == "Validation: with the customer"


def test_once_the_acceptance_document_is_sent_the_card_says_so(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    implementation.record(db, engagement_id, _form(db, complete="yes"), ENGINEER)
    document = SowDraft(engagement_id=engagement_id, response_id=None, kind=PS_ACCEPTANCE.name,
                        prefill={})  # fmt: skip
    db.add(document)
    db.flush()
    db.add(SowRevision(draft_id=document.id, number=1, markdown="# Acceptance", author=ENGINEER,
                       sent_at=utcnow() - timedelta(days=2)))  # fmt: skip
    db.commit()
    assert _card_says(db, engagement_id) == (
        "Validation: acceptance document sent 2 days ago, awaiting the customer"
    )
