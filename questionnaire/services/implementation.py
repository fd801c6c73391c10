"""Implementation sessions: recorded after each, with the seed's "Complete?" answer.

A session is booked through a booking link (its booking named) or entered by hand; it records
the date, the engineer, what was done and which PDR revisions it went from and to. "No" moves the
card to In progress (the seed: "Move to In Progress", then arrange the next session); "yes"
moves it on to validation, recorded in the engagement's history. Checked with the questionnaire
engine's parsers; every refusal names its field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import (
    DateQuestion,
    DecimalQuestion,
    LongTextQuestion,
    YesNoQuestion,
)
from questionnaire.scheduling import MeetingKind
from questionnaire.store.bookings import Booking, BookingStatus
from questionnaire.store.delivery import ImplementationSession
from questionnaire.store.models import MAX_INT, User

from . import audit, board, pdr_desk
from .sow_desk import engagement

SESSION_ACTION, COMPLETE_ACTION = "implementation.session", "implementation.complete"
FIELDS = ("held_on", "engineer_id", "booking_id", "days_used", "notes", "complete")
_DATE = DateQuestion(id="held_on", label="date", type="date")
_DAYS = DecimalQuestion(id="days_used", label="days used", type="decimal", min=0.5, max=100)
DAYS_USED = "Enter the days used as a number of days, such as 1 or 0.5"
DAYS_IN_HALVES = "Enter the days used in half days, such as 1 or 1.5"
_NOTES = LongTextQuestion(id="notes", label="notes", type="long_text", max_length=20_000)
_COMPLETE = YesNoQuestion(id="complete", label="complete", type="yes_no")
Picked = TypeVar("Picked", User, Booking)


@dataclass(frozen=True)
class SessionForm:
    """The "Record a session" form as posted (every value as typed)."""

    held_on: str = ""
    engineer_id: str = ""
    booking_id: str = ""
    days_used: str = ""
    notes: str = ""
    complete: str = ""


class InvalidSession(ValueError):
    """``errors``: a message per field, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Choices:
    """What the form offers: the engineers, and the engagement's booked implementation sessions."""

    engineers: list[User]
    bookings: list[Booking]


def choices(db: Session, engagement_id: int) -> Choices:
    engagement(db, engagement_id)
    booked = db.scalars(
        select(Booking)
        .where(Booking.engagement_id == engagement_id,
               Booking.kind == MeetingKind.IMPLEMENTATION_SESSION.value,
               Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.starts_at)
    ).all()  # fmt: skip
    return Choices(board.engineers(db), list(booked))


def sessions(db: Session, engagement_id: int) -> list[ImplementationSession]:
    engagement(db, engagement_id)
    return list(
        db.scalars(
            select(ImplementationSession)
            .where(ImplementationSession.engagement_id == engagement_id)
            .order_by(ImplementationSession.held_on, ImplementationSession.id)
        ).all()
    )


def record(db: Session, engagement_id: int, form: SessionForm, actor: str) -> ImplementationSession:
    """Record the session and answer "Complete?"; commits. :class:`InvalidSession`."""
    engagement(db, engagement_id)
    offered = choices(db, engagement_id)
    held_on, engineer, booking, days_used, notes, complete = _read(form, offered)
    latest = _latest_revision(db, engagement_id)
    before = _previous_after(db, engagement_id)
    session = ImplementationSession(
        engagement_id=engagement_id, held_on=held_on, engineer_id=engineer.id,
        engineer_name=engineer.name, booking_id=booking.id if booking else None, notes=notes,
        days_used=days_used,
        revision_before=before if before is not None else (1 if latest else None),
        revision_after=latest,
        complete=complete, recorded_by=actor,
    )  # fmt: skip
    db.add(session)
    db.flush()
    audit.record(db, actor, SESSION_ACTION, engagement_id=engagement_id, session=session.id,
                 held_on=held_on.isoformat(), days_used=days_used,
                 complete=complete)  # fmt: skip
    board.note_session(db, engagement_id, complete=complete, actor=actor)
    if complete:
        audit.record(db, actor, COMPLETE_ACTION, engagement_id=engagement_id,
                     reason="implementation complete: validation by the customer is next")  # fmt: skip
    db.commit()
    return session


def _read(
    form: SessionForm, offered: Choices
) -> tuple[date, User, Booking | None, float, str, bool]:
    errors: dict[str, str] = {}
    held_on = parse_answer(_DATE, form.held_on)
    if not isinstance(held_on, str):
        errors["held_on"] = (
            held_on.message if isinstance(held_on, Invalid) else "Enter the date of the session"
        )
    engineer = _pick(offered.engineers, form.engineer_id)
    if engineer is None:
        errors["engineer_id"] = "Select the engineer who held the session"
    booking = _pick(offered.bookings, form.booking_id) if form.booking_id.strip() else None
    if form.booking_id.strip() and booking is None:
        errors["booking_id"] = "Select one of this engagement's booked sessions, or none"
    notes = parse_answer(_NOTES, form.notes)
    if not isinstance(notes, str):
        errors["notes"] = (
            notes.message if isinstance(notes, Invalid) else "Enter what was done in the session"
        )
    days = _days_used(form.days_used)
    if isinstance(days, str):
        errors["days_used"] = days
    complete = parse_answer(_COMPLETE, form.complete)
    if not isinstance(complete, bool):
        errors["complete"] = "Select yes if the implementation is complete, or no"
    if errors:
        raise InvalidSession({name: errors[name] for name in FIELDS if name in errors})
    assert isinstance(held_on, str) and isinstance(notes, str) and engineer is not None
    assert isinstance(days, float)
    return date.fromisoformat(held_on), engineer, booking, days, notes, bool(complete)


def _days_used(raw: str) -> float | str:
    """The days the session used, in half days, or the message saying what is wrong (naming
    the field: the engine's "Enter a number" alone would not say which)."""
    parsed = parse_answer(_DAYS, raw)
    if isinstance(parsed, Invalid) and "between" in parsed.message:
        return f"Days used must be {parsed.message.removeprefix('Enter a number ')}"
    if not isinstance(parsed, float):
        return DAYS_USED
    return parsed if (parsed * 2).is_integer() else DAYS_IN_HALVES


def _pick(rows: Sequence[Picked], raw: str) -> Picked | None:
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_INT):
        return None
    return next((row for row in rows if row.id == int(text)), None)


def _latest_revision(db: Session, engagement_id: int) -> int | None:
    record = pdr_desk.pdr_of(db, engagement_id)
    return record.revisions[-1].number if record and record.revisions else None


def _previous_after(db: Session, engagement_id: int) -> int | None:
    """Where the last session left the PDR: the revision this one started from (the first
    session starts from revision 1, the PDR as made from the SoW)."""
    return db.scalar(
        select(ImplementationSession.revision_after)
        .where(ImplementationSession.engagement_id == engagement_id)
        .order_by(ImplementationSession.id.desc()).limit(1)
    )  # fmt: skip
