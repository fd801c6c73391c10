"""The customer moves or cancels their booking, from its link, within the engineer's notice.

Both keep the booking's UID and add one to its SEQUENCE, so calendars replace the event (a
move, METHOD:REQUEST at the new time) or remove it (METHOD:CANCEL). A move frees the old time
and takes the new one in one guarded ``UPDATE``: the row changes only while it is confirmed at
the sequence the customer saw, and (as a new booking) only if no other confirmed booking of
the engineer overlaps the new time, under the engineer's lock and, on PostgreSQL, the
exclusion constraint. Cancelling is a guarded ``UPDATE`` too: of two clicks, one cancels.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, exists, literal, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from questionnaire.scheduling import Period
from questionnaire.store.bookings import Booking, BookingStatus
from questionnaire.store.models import UTCDateTime, utcnow

from . import audit
from .booking_calendar import lock_engineer
from .booking_confirm import SlotTaken
from .booking_customer import OpenBooking, ZoneShown, open_booking, slots_page
from .booking_mail import Change, queue_both
from .context import Context

MOVED_ACTION, CANCELLED_ACTION = "booking.moved", "booking.cancelled"


class TooLate(Exception):
    """The booking is cancelled already, or starts within the engineer's minimum notice: the
    customer must ask the engineer."""

    def __init__(self, opened: OpenBooking) -> None:
        super().__init__("too late to change online")
        self.opened = opened


class NothingBooked(Exception):
    """The link has not booked anything yet: there is nothing to move or cancel."""


def _changeable(db: Session, context: Context, token: str) -> tuple[OpenBooking, Booking]:
    opened = open_booking(db, context, token)
    if opened.booking is None:
        raise NothingBooked
    if not opened.changeable(utcnow()):
        raise TooLate(opened)
    return opened, opened.booking


def reschedule(
    db: Session, context: Context, token: str, slot_key: str, zone: ZoneShown
) -> Booking:
    """Move the booking to the free slot ``slot_key``; commits. Raises ``BookingRefused``,
    :class:`NothingBooked`, :class:`TooLate` or ``SlotTaken`` (nothing changed)."""
    opened, booking = _changeable(db, context, token)
    lock_engineer(db, opened.engineer.id)
    now = utcnow()
    slot = slots_page(db, context, opened, zone, now=now).slots.find(slot_key)
    before = Period(booking.starts_at, booking.ends_at)
    if slot is None or not _move(db, booking, slot.period, zone, now):
        db.rollback()
        raise SlotTaken(slots_page(db, context, open_booking(db, context, token), zone))
    db.refresh(booking)
    audit.record(
        db, opened.actor, MOVED_ACTION, engagement_id=opened.engagement.id,
        booking_id=booking.id, starts_at=booking.starts_at.isoformat(),
        previously=before.start.isoformat(), sequence=booking.sequence,
    )  # fmt: skip
    queue_both(db, context, booking, Change.MOVED, token=token, actor=opened.actor,
               before=before, now=now)  # fmt: skip
    db.commit()
    return booking


def _move(db: Session, booking: Booking, period: Period, zone: ZoneShown, now: Any) -> bool:
    other = aliased(Booking)
    overlapping = exists().where(
        other.engineer_id == booking.engineer_id,
        other.id != booking.id,
        other.status == BookingStatus.CONFIRMED,
        other.starts_at < literal(period.end, UTCDateTime()),
        other.ends_at > literal(period.start, UTCDateTime()),
    )
    statement = (
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.sequence == booking.sequence,
            ~overlapping,
        )
        .values(
            starts_at=period.start, ends_at=period.end, sequence=Booking.sequence + 1,
            customer_zone=zone.zone.key, updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    try:
        with db.begin_nested():
            result = db.execute(statement)
    except IntegrityError:
        return False
    return cast(CursorResult[Any], result).rowcount == 1


def cancel(db: Session, context: Context, token: str) -> Booking:
    """Cancel the booking; commits. Raises ``BookingRefused``, :class:`NothingBooked` or
    :class:`TooLate` (cancelled already, perhaps a moment ago)."""
    opened, booking = _changeable(db, context, token)
    now = utcnow()
    result = db.execute(
        update(Booking)
        .where(
            Booking.id == booking.id, Booking.status == BookingStatus.CONFIRMED,
            Booking.sequence == booking.sequence,
        )
        .values(status=BookingStatus.CANCELLED, sequence=Booking.sequence + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if cast(CursorResult[Any], result).rowcount != 1:
        db.rollback()
        raise TooLate(open_booking(db, context, token))
    db.refresh(booking)
    audit.record(db, opened.actor, CANCELLED_ACTION, engagement_id=opened.engagement.id,
                 booking_id=booking.id, sequence=booking.sequence)  # fmt: skip
    queue_both(db, context, booking, Change.CANCELLED, token=token, actor=opened.actor, now=now)
    db.commit()
    return booking
