"""The engineer's private feed of their bookings (``/calendar/<token>.ics``), to subscribe to.

Served from the database by ``scheduling.bookings_feed``: the engineer's confirmed bookings
from a month ago on (at most ``MAX_EVENTS``, the soonest first), each as its invitation names it
(the same UID, so a calendar that also took the invitation shows one event). Reads only; the
token is looked up by its hash, and one of the wrong shape is refused before any query.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import CalendarFile, bookings_feed
from questionnaire.store.bookings import Booking, BookingStatus, EngineerCalendar
from questionnaire.store.models import Engagement, User, utcnow

from . import links
from .booking_mail import meeting_of

MAX_EVENTS = 2000
PAST = timedelta(days=31)


class NoSuchFeed(LookupError):
    """The token is not a feed's (never was, or was revoked or replaced)."""


def own_feed(db: Session, token: str) -> CalendarFile:
    if not links.valid_shape(token):
        raise NoSuchFeed
    engineer = db.scalars(
        select(User)
        .join(EngineerCalendar, EngineerCalendar.user_id == User.id)
        .where(EngineerCalendar.feed_token_hash == links.token_hash(token))
    ).first()
    if engineer is None:
        raise NoSuchFeed
    now = utcnow()
    rows = db.execute(
        select(Booking, Engagement)
        .join(Engagement, Engagement.id == Booking.engagement_id)
        .where(
            Booking.engineer_id == engineer.id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.ends_at > now - PAST,
        )
        .order_by(Booking.starts_at)
        .limit(MAX_EVENTS)
    ).all()
    meetings = [meeting_of(booking, engagement, engineer) for booking, engagement in rows]
    return bookings_feed(meetings, name=f"Bookings with {engineer.name}", stamp=now)
