"""The pipeline board: moves along the seed's graph only, reasons for going back, the race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from questionnaire.services import accounts, board
from questionnaire.services.context import Context
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.db import Database
from questionnaire.store.models import AuditEvent, Engagement, OutgoingEmail, User, UserRole
from questionnaire.store.models import PipelineStage as S

from .factories import Factory

LEAD = "lee.lead@loadbalancer.org"


def account(db: Session, email: str, name: str, *roles: str) -> User:
    """An account holding exactly ``roles`` (whatever roles accounts get by default)."""
    user = accounts.create_user(db, email, "a long enough password", name)
    db.execute(delete(UserRole).where(UserRole.user_id == user.id))
    db.add_all(UserRole(user_id=user.id, role=role) for role in roles)
    db.commit()
    db.expire(user)
    return user


def engineer(db: Session, email: str = "eve@loadbalancer.org", name: str = "Eve") -> User:
    return account(db, email, name, "engineer")


def stage_of(db: Session, engagement_id: int) -> str:
    db.expire_all()
    found = db.get(Engagement, engagement_id)
    assert found is not None
    return found.pipeline_stage


def test_the_graph_is_the_seeds_line_one_step_at_a_time() -> None:
    assert board.allowed_moves(S.PIPELINE) == ()  # leaving Pipeline is assigning an engineer
    assert board.allowed_moves(S.DISCOVERY) == (S.STATEMENT_OF_WORK, S.PIPELINE)
    assert board.allowed_moves(S.PLANNED) == (S.IN_PROGRESS, S.STATEMENT_OF_WORK)
    assert board.allowed_moves(S.IN_PROGRESS) == (S.COMPLETE, S.PLANNED)
    assert board.allowed_moves(S.COMPLETE) == (S.IN_PROGRESS,)
    assert [board.LABELS[s] for s in board.ORDER] == [
        "Pipeline", "Discovery", "Statement of Work", "Planned", "In progress", "Complete",
    ]  # fmt: skip


def test_assigning_moves_pipeline_to_discovery_and_emails_the_engineer(
    db: Session, make: Factory, services: Context
) -> None:
    eve = engineer(db)
    engagement = make.engagement("Acme <b>Health</b>")
    board.assign(db, services, engagement.id, eve.id, S.PIPELINE, LEAD)
    assert stage_of(db, engagement.id) == "discovery"
    email = db.scalars(select(OutgoingEmail)).one()
    assert email.template == "assigned" and email.recipients[0]["address"] == eve.email
    assert "Acme <b>Health</b>" in email.subject and "<b>" not in email.html_body
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.assign")).one()
    assert event.actor == LEAD and event.detail["target"] == "discovery"


def test_only_accounts_with_the_engineer_role_can_be_assigned(
    db: Session, make: Factory, services: Context
) -> None:
    plain = account(db, "sam@loadbalancer.org", "Sam", "sales", "lead")
    engagement = make.engagement()
    with pytest.raises(board.MoveRefused, match="Select an engineer"):
        board.assign(db, services, engagement.id, plain.id, S.PIPELINE, LEAD)
    assert stage_of(db, engagement.id) == "pipeline"


def test_moves_go_along_the_graph_and_are_in_the_history(
    db: Session, make: Factory, services: Context
) -> None:
    engagement = make.engagement()
    board.assign(db, services, engagement.id, engineer(db).id, S.PIPELINE, LEAD)
    db.execute(update(Engagement).values(stage_since=datetime(2020, 1, 1, tzinfo=UTC)))
    db.commit()
    for source, target in [(S.DISCOVERY, S.STATEMENT_OF_WORK), (S.STATEMENT_OF_WORK, S.PLANNED),
                           (S.PLANNED, S.IN_PROGRESS)]:  # fmt: skip
        board.move(db, engagement.id, source, target, "eve@loadbalancer.org")
    assert stage_of(db, engagement.id) == "in_progress"
    found = db.get(Engagement, engagement.id)
    assert found is not None and found.stage_since > datetime.now(UTC) - timedelta(minutes=1)
    moves = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.move")).all()
    assert [(m.actor, m.detail["target"]) for m in moves] == [
        ("eve@loadbalancer.org", "sow"), ("eve@loadbalancer.org", "planned"),
        ("eve@loadbalancer.org", "in_progress"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (S.PIPELINE, S.DISCOVERY, "Assign an engineer"),
        (S.DISCOVERY, S.PLANNED, "cannot move from Discovery to Planned"),
        (S.PLANNED, S.COMPLETE, "cannot move from Planned to Complete"),
        (S.IN_PROGRESS, S.PLANNED, "Enter why the engagement goes back to Planned"),
    ],
)
def test_moves_off_the_graph_or_back_without_a_reason_are_refused(
    source: S, target: S, message: str
) -> None:
    with pytest.raises(board.MoveRefused, match=message):
        board.check_move(source, target, "  ")


def test_a_move_back_with_a_reason_is_recorded_with_it(
    db: Session, make: Factory, services: Context
) -> None:
    engagement = make.engagement()
    board.assign(db, services, engagement.id, engineer(db).id, S.PIPELINE, LEAD)
    with pytest.raises(board.MoveRefused):
        board.move(db, engagement.id, S.DISCOVERY, S.PIPELINE, LEAD)
    board.move(db, engagement.id, S.DISCOVERY, S.PIPELINE, LEAD, reason="Eve is on leave")
    found = db.get(Engagement, engagement.id)
    assert found is not None and found.pipeline_stage == "pipeline" and found.engineer_id is None
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.move")).one()
    assert event.detail["reason"] == "Eve is on leave"


def test_a_move_from_a_stage_the_card_has_left_is_stale(
    db: Session, make: Factory, services: Context
) -> None:
    engagement = make.engagement()
    with pytest.raises(board.Stale, match="it is now in Pipeline"):
        board.move(db, engagement.id, S.DISCOVERY, S.STATEMENT_OF_WORK, LEAD)
    with pytest.raises(NotFound):
        board.move(db, 999_999, S.DISCOVERY, S.STATEMENT_OF_WORK, LEAD)


def test_a_submitted_questionnaire_moves_discovery_on_and_nothing_else(
    db: Session, make: Factory, services: Context
) -> None:
    waiting = make.engagement("Waiting Ltd")
    assert board.note_submitted(db, waiting.id) is False  # still in Pipeline: stays there
    engagement = make.engagement()
    board.assign(db, services, engagement.id, engineer(db).id, S.PIPELINE, LEAD)
    assert board.note_submitted(db, engagement.id) is True
    db.commit()
    assert stage_of(db, engagement.id) == "sow" and stage_of(db, waiting.id) == "pipeline"


def test_the_board_lists_each_stage_with_its_cards_and_filters_by_engineer(
    db: Session, make: Factory, services: Context
) -> None:
    eve, max_ = engineer(db), engineer(db, "max@loadbalancer.org", "Max")
    first, second, waiting = (make.engagement(n) for n in ("Acme", "Beta", "Gamma"))
    board.assign(db, services, first.id, eve.id, S.PIPELINE, LEAD)
    board.assign(db, services, second.id, max_.id, S.PIPELINE, LEAD)
    shown = board.board(db, board.BoardFilter())
    assert [c.label for c in shown.columns] == [board.LABELS[s] for s in board.ORDER]
    by_stage = {c.stage: [card.customer for card in c.cards] for c in shown.columns}
    assert by_stage["pipeline"] == ["Gamma"] and by_stage["discovery"] == ["Acme", "Beta"]
    card = shown.columns[1].cards[0]
    assert (card.engineer, card.next_action) == ("Eve", "questionnaire to send")
    assert shown.columns[0].cards[0].next_action == "waiting for an engineer"
    assert [u.name for u in shown.engineers] == ["Eve", "Max"]
    mine = board.board(db, board.BoardFilter(engineer_id=max_.id))
    assert [card.customer for c in mine.columns for card in c.cards] == ["Beta"]
    assert waiting.id


def test_next_action_says_how_long_the_questionnaire_has_waited() -> None:
    now = datetime(2026, 3, 20, tzinfo=UTC)
    sent, expires = now - timedelta(days=6), now + timedelta(days=8)
    assert board.next_action("discovery", now=now, engineer="Eve", link_sent_at=sent,
                             link_expires_at=expires) == "questionnaire sent 6 days ago, not started"  # fmt: skip
    assert board.next_action("discovery", now=now, engineer="Eve", link_sent_at=sent,
                             link_expires_at=now - timedelta(days=1)).startswith(
        "questionnaire link expired"
    )  # fmt: skip
    assert board.next_action("sow", now=now, engineer="Eve", sow_sent_at=now - timedelta(days=2)
                             ).startswith("SoW sent 2 days ago")  # fmt: skip
    assert board.time_in_stage(now - timedelta(hours=3), now) == "less than a day"
    assert board.time_in_stage(now - timedelta(days=4, hours=1), now) == "4 days"


def test_two_people_moving_the_same_card_at_once_one_wins(
    postgres_only: str, db: Session, make: Factory, services: Context
) -> None:
    engagement = make.engagement()
    board.assign(db, services, engagement.id, engineer(db).id, S.PIPELINE, LEAD)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def work(n: int) -> None:
        own = Database(postgres_only)
        with own.session() as session:
            barrier.wait()
            try:
                board.move(session, engagement.id, S.DISCOVERY, S.STATEMENT_OF_WORK, f"e{n}")
                outcomes.append("moved")
            except board.Stale:
                outcomes.append("stale")
        own.dispose()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved"] + ["stale"] * 7
    moves = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.move")).all()
    assert len(moves) == 1
