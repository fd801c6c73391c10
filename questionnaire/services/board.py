"""The pipeline board: the seed's stages as columns, and the moves between them.

The seed's graph is a line, Pipeline → Discovery → Statement of Work → Planned → In progress →
Complete, walked one step at a time: forward, or back one step with a reason (In progress back
to Planned is such a step). Leaving Pipeline is assigning an engineer (:func:`assign`), as
Linear does in the seed; a submitted questionnaire moves Discovery on by itself
(:func:`note_submitted`), and an accepted SoW moves the card to Planned (:func:`note_accepted`).

Every move is one guarded ``UPDATE ... WHERE pipeline_stage = :from``: of two people moving the
same card at once, one changes the row and the other changes nothing and is told (:class:`Stale`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from questionnaire.scheduling import MeetingKind
from questionnaire.store.models import (
    MAX_INT,
    Engagement,
    PipelineStage,
    Role,
    User,
    UserRole,
    utcnow,
)

from . import audit, mail
from .board_cards import (
    LABELS,
    ORDER,
    Board,
    BoardFilter,
    Card,
    Column,
    next_action,
    read_cards,
    time_in_stage,
)
from .booking_calendar import zone_of
from .booking_settings import BookingSettings
from .context import Context
from .sow_desk import NotFound

__all__ = [
    "LABELS", "ORDER", "Board", "BoardFilter", "Card", "Column", "MoveRefused", "Stale",
    "allowed_moves", "assign", "board", "engineers", "is_backward", "move", "next_action",
    "note_accepted", "note_booked", "note_complete", "note_session", "note_submitted", "time_in_stage",
]  # fmt: skip

S = PipelineStage
SYSTEM = "system"


class MoveRefused(ValueError):
    """Not a move the seed allows, or a backward move without a reason (a 400)."""


class Stale(RuntimeError):
    """The card was not where the mover saw it: someone moved it first (a 409)."""


# -- the graph: pure functions -----------------------------------------------------------------


def allowed_moves(stage: PipelineStage) -> tuple[PipelineStage, ...]:
    """Where a card may be moved by hand: one step forward (not out of Pipeline: that is
    assigning an engineer) or one step back."""
    at = ORDER.index(stage)
    forward = [ORDER[at + 1]] if 0 < at < len(ORDER) - 1 else []
    back = [ORDER[at - 1]] if at > 0 else []
    return (*forward, *back)


def is_backward(source: PipelineStage, target: PipelineStage) -> bool:
    return ORDER.index(target) < ORDER.index(source)


def check_move(source: PipelineStage, target: PipelineStage, reason: str) -> None:
    if target not in allowed_moves(source):
        if (source, target) == (S.PIPELINE, S.DISCOVERY):
            raise MoveRefused("Assign an engineer to move the engagement to Discovery")
        raise MoveRefused(f"An engagement cannot move from {LABELS[source]} to {LABELS[target]}")
    if is_backward(source, target) and not reason.strip():
        raise MoveRefused(f"Enter why the engagement goes back to {LABELS[target]}")


# -- moves -------------------------------------------------------------------------------------


def move(
    db: Session,
    engagement_id: int,
    source: PipelineStage,
    target: PipelineStage,
    actor: str,
    reason: str = "",
) -> None:
    """Move the card from ``source`` (the stage the mover saw) to ``target``; commits.

    Raises :class:`MoveRefused`, :class:`Stale` or ``NotFound``. Back to Pipeline, the
    engineer is unassigned: Pipeline is the column of engagements waiting for one.
    """
    check_move(source, target, reason)
    extra = {"engineer_id": None} if target is S.PIPELINE else {}
    _guarded(db, engagement_id, source, target, **extra)
    audit.record(db, actor, "board.move", engagement_id=engagement_id, source=source.value,
                 target=target.value, reason=reason.strip()[:500] or None)  # fmt: skip
    db.commit()


def assign(
    db: Session,
    context: Context,
    engagement_id: int,
    engineer_id: int,
    source: PipelineStage,
    actor: str,
) -> User:
    """Assign an engineer (and email them); from Pipeline this moves the card to Discovery.
    Later, it changes who is assigned and keeps the stage. Commits."""
    engineer = _engineer(db, engineer_id)
    target = S.DISCOVERY if source is S.PIPELINE else source
    _guarded(db, engagement_id, source, target, engineer_id=engineer.id)
    engagement = db.get(Engagement, engagement_id, populate_existing=True)
    assert engagement is not None  # the guarded update found it
    audit.record(db, actor, "board.assign", engagement_id=engagement_id, engineer=engineer.email,
                 source=source.value, target=target.value)  # fmt: skip
    mail.queue(
        db, context, template="assigned", to=[(engineer.name, engineer.email)], actor=actor,
        engagement_id=engagement_id, values=_assigned_values(db, engagement, engineer, actor),
    )  # fmt: skip
    db.commit()
    return engineer


def note_submitted(db: Session, engagement_id: int) -> bool:
    """The customer submitted the questionnaire: Discovery moves to Statement of Work.

    In the caller's transaction (the submission's), no commit; a card in any other stage stays
    where it is. Whether it moved.
    """
    moved = _update(db, engagement_id, S.DISCOVERY, S.STATEMENT_OF_WORK)
    if moved:
        audit.record(db, SYSTEM, "board.move", engagement_id=engagement_id,
                     source=S.DISCOVERY.value, target=S.STATEMENT_OF_WORK.value,
                     reason="the customer submitted the questionnaire")  # fmt: skip
    return moved


def note_accepted(db: Session, engagement_id: int, accepted_by: str, revision: int) -> bool:
    """The customer accepted the SoW: the card moves on to Planned.

    From Statement of Work, or from Discovery when the SoW was sent before the questionnaire
    was submitted: an acceptance means the Statement of Work is done either way. In the
    caller's transaction (the acceptance's), no commit; a card in a later stage stays where it
    is. The history names the customer who accepted, as the mover. Whether it moved.
    """
    for source in (S.STATEMENT_OF_WORK, S.DISCOVERY):
        if _update(db, engagement_id, source, S.PLANNED):
            audit.record(db, accepted_by, "board.move", engagement_id=engagement_id,
                         source=source.value, target=S.PLANNED.value,
                         reason=f"the customer accepted revision {revision} of the SoW")  # fmt: skip
            return True
    return False


def note_complete(db: Session, engagement_id: int, accepted_by: str) -> bool:
    """The customer accepted the acceptance document: the card moves on to Complete.

    From In progress, or from Planned when no session was recorded as complete before: the
    customer's acceptance closes the engagement either way. In the caller's transaction (the
    acceptance's), no commit; a card elsewhere stays. The history names the customer as the
    mover. Whether it moved."""
    for source in (S.IN_PROGRESS, S.PLANNED):
        if _update(db, engagement_id, source, S.COMPLETE):
            audit.record(db, accepted_by, "board.move", engagement_id=engagement_id,
                         source=source.value, target=S.COMPLETE.value,
                         reason="the customer accepted the acceptance document")  # fmt: skip
            return True
    return False


def note_booked(db: Session, engagement_id: int, kind: MeetingKind, actor: str) -> bool:
    """A customer booked a meeting: an implementation session moves Statement of Work on to
    Planned (the seed: "Arrange Implementation", then "Move to Planned"); other meetings, and
    cards in other stages, stay where they are. In the caller's transaction (the booking's),
    no commit. Whether it moved."""
    if kind is not MeetingKind.IMPLEMENTATION_SESSION:
        return False
    moved = _update(db, engagement_id, S.STATEMENT_OF_WORK, S.PLANNED)
    if moved:
        audit.record(db, actor, "board.move", engagement_id=engagement_id,
                     source=S.STATEMENT_OF_WORK.value, target=S.PLANNED.value,
                     reason="the customer booked an implementation session")  # fmt: skip
    return moved


def note_session(db: Session, engagement_id: int, *, complete: bool, actor: str) -> bool:
    """An implementation session was recorded: the card moves from Planned to In progress.

    Not complete, the seed's loop goes round (another session, the PDR updated); complete, the
    engagement moves on to validation, which is part of In progress until acceptance. In the
    caller's transaction, no commit; a card in any other stage stays. Whether it moved."""
    moved = _update(db, engagement_id, S.PLANNED, S.IN_PROGRESS)
    if moved:
        reason = ("the implementation is complete: validation next" if complete
                  else "an implementation session was held; more are needed")  # fmt: skip
        audit.record(db, actor, "board.move", engagement_id=engagement_id,
                     source=S.PLANNED.value, target=S.IN_PROGRESS.value, reason=reason)  # fmt: skip
    return moved


def _guarded(
    db: Session, engagement_id: int, source: PipelineStage, target: PipelineStage, **extra: Any
) -> None:
    if _update(db, engagement_id, source, target, **extra):
        return
    db.rollback()
    now = db.scalar(select(Engagement.pipeline_stage).where(Engagement.id == engagement_id))
    if now is None or not 0 < engagement_id <= MAX_INT:
        raise NotFound("There is no such engagement.")
    raise Stale(
        f"Someone else moved this engagement first: it is now in {LABELS[PipelineStage(now)]}. "
        "Nothing was changed."
    )


def _update(
    db: Session, engagement_id: int, source: PipelineStage, target: PipelineStage, **extra: Any
) -> bool:
    """The guarded UPDATE; ``stage_since`` restarts only when the stage changes."""
    if not 0 < engagement_id <= MAX_INT:
        return False
    values: dict[str, Any] = {"pipeline_stage": target.value, **extra}
    if target is not source:
        values["stage_since"] = utcnow()
    result = db.execute(
        update(Engagement)
        .where(Engagement.id == engagement_id, Engagement.pipeline_stage == source.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult[Any], result).rowcount == 1
    held = db.identity_map.get(identity_key(Engagement, engagement_id))
    if changed and held is not None:
        db.expire(held, list(values))  # an engagement this session holds reloads the change
    return changed


def _assigned_values(
    db: Session, engagement: Engagement, engineer: User, actor: str
) -> dict[str, Any]:
    assigned_by = db.scalar(select(User.name).where(User.email == actor)) or actor
    return {
        "engineer_name": engineer.name, "organisation": engagement.customer,
        "project": engagement.project, "ps_days_sold": engagement.facts.get("ps_days_sold"),
        "timeline": engagement.facts.get("timeline"), "assigned_by": assigned_by,
        "engagement_id": engagement.id,
    }  # fmt: skip


# -- reading -----------------------------------------------------------------------------------


def engineers(db: Session) -> list[User]:
    """The active accounts holding the engineer role, by name: who may be assigned."""
    return list(
        db.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ENGINEER.value, User.active.is_(True))
            .order_by(User.name, User.id)
        ).all()
    )


def _engineer(db: Session, engineer_id: int) -> User:
    found = next((user for user in engineers(db) if user.id == engineer_id), None)
    if found is None:
        raise MoveRefused("Select an engineer from the list")
    return found


def board(
    db: Session,
    chosen: BoardFilter,
    now: datetime | None = None,
    *,
    viewer_id: int | None = None,
    settings: BookingSettings | None = None,
) -> Board:
    """Every engagement as a card in its stage's column, oldest in the stage first; booked
    meetings on the clock of the viewer's availability."""
    zone = zone_of(db, settings or BookingSettings(), viewer_id)
    cards = read_cards(db, chosen, now or utcnow(), zone)
    columns = [
        Column(stage.value, LABELS[stage], [card for card in cards if card.stage == stage.value])
        for stage in ORDER
    ]
    return Board(columns, chosen, engineers(db))
