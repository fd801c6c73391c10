"""An engineer's calendar as the slot computation needs it: availability, bookings, busy times.

:func:`free_slots_of` loads what ``scheduling.free_slots`` takes (three small queries, each
bounded by the booking window) and calls it; it never fetches a feed: the busy times are the
last good copy the worker stored (``booking_fetch``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire import scheduling
from questionnaire.scheduling import Availability, FreeSlots, MeetingKind, Period, Refused
from questionnaire.store.bookings import Booking, BookingStatus, CalendarFeed, EngineerCalendar
from questionnaire.store.models import User

from .booking_settings import BookingSettings

#: Our bookings that end this long before the window still matter: their buffer reaches in.
_BUFFER_REACH = timedelta(hours=6)


def availability_of(db: Session, settings: BookingSettings, engineer_id: int) -> Availability:
    """The engineer's saved availability, or the defaults in the default zone."""
    stored = db.scalar(
        select(EngineerCalendar.availability).where(EngineerCalendar.user_id == engineer_id)
    )
    if stored:
        parsed = scheduling.parse_availability(stored)
        if not isinstance(parsed, Refused):
            return parsed
    # Never saved (or saved under rules that have since changed: the engineer sees the
    # defaults on their page, and saves again).
    return scheduling.default_availability(settings.default_zone)


def zone_of(db: Session, settings: BookingSettings, engineer_id: int | None) -> ZoneInfo:
    if engineer_id is None:
        return settings.default_zone
    return availability_of(db, settings, engineer_id).zone


def bookings_of(
    db: Session, engineer_id: int, window: Period, *, besides: int | None = None
) -> list[scheduling.Booking]:
    """The engineer's confirmed bookings near ``window`` (but booking ``besides``, being moved)."""
    query = select(Booking.starts_at, Booking.ends_at, Booking.kind).where(
        Booking.engineer_id == engineer_id,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.starts_at < window.end + _BUFFER_REACH,
        Booking.ends_at > window.start - _BUFFER_REACH,
    )
    if besides is not None:
        query = query.where(Booking.id != besides)
    return [
        scheduling.Booking(Period(start, end), MeetingKind(kind))
        for start, end, kind in db.execute(query).all()
    ]


def busy_of(db: Session, engineer_id: int, window: Period) -> list[Period]:
    """The busy periods of the engineer's feed that touch ``window``, from its last good copy."""
    stored = db.scalar(select(CalendarFeed.busy).where(CalendarFeed.engineer_id == engineer_id))
    # The copy covers weeks beyond the window: its ISO dates are compared as text first (a day's
    # margin either side), so that only the periods near the window are parsed.
    first = (window.start - timedelta(days=1)).date().isoformat()
    last = (window.end + timedelta(days=1)).date().isoformat()
    found = []
    for start, end in stored or []:
        if end[:10] < first or start[:10] > last:
            continue
        period = Period(datetime.fromisoformat(start), datetime.fromisoformat(end))
        if period.overlaps(window):
            found.append(period)
    return found


def free_slots_of(
    db: Session,
    settings: BookingSettings,
    engineer_id: int,
    kind: MeetingKind,
    *,
    now: datetime,
    zone: ZoneInfo,
    besides: int | None = None,
) -> FreeSlots:
    """The engineer's free slots for ``kind``, grouped by the days of ``zone``."""
    availability = availability_of(db, settings, engineer_id)
    rules = availability.rules(kind)
    window = Period(now + rules.notice, now + rules.ahead)
    return scheduling.free_slots(
        availability,
        kind,
        now=now,
        customer_zone=zone,
        bookings=bookings_of(db, engineer_id, window, besides=besides),
        busy=busy_of(db, engineer_id, window),
    )


def lock_engineer(db: Session, engineer_id: int) -> None:
    """Hold the engineer's row until the transaction ends: bookings of one engineer are made
    one after the other, so each sees the ones before it (buffers included, which the
    exclusion constraint does not know). ``FOR NO KEY UPDATE``, as ``links.lock_engagement``;
    on SQLite the writer's ``BEGIN IMMEDIATE`` already orders them."""
    db.execute(select(User.id).where(User.id == engineer_id).with_for_update(key_share=True))
