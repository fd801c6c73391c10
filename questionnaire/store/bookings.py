"""Booking calls with engineers: their availability, booking links, bookings and calendar feeds.

Kept beside ``models`` (whose ``Base`` they share), as ``reviews`` is; the package imports this
module, so the metadata Alembic compares holds these tables.

Never double-booked, by the database:

- one booking per link: ``bookings.link_id`` is unique (a second booking through a link fails
  on it, however the requests interleave);
- no two confirmed bookings of one engineer overlap: on PostgreSQL an exclusion constraint
  ``EXCLUDE USING gist (engineer_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE
  (status = 'confirmed')`` (revision 0009 makes it, with ``btree_gist`` for the ``=``; it is
  not declared here because SQLite has no such thing and Alembic does not compare it). On
  SQLite the booking is a guarded ``INSERT ... SELECT ... WHERE NOT EXISTS`` (an overlapping
  confirmed booking) in a writer's transaction: writers begin ``IMMEDIATE`` there
  (``store/db.py``), so one writer at a time runs the check and the insert, and no second
  booking can commit between them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Engagement, JSONType, User, stored_by_value, utcnow


class EngineerCalendar(Base):
    """An engineer's availability (the plain data ``scheduling.parse_availability`` reads;
    ``None`` until they save theirs: the defaults) and their private feed's token hash."""

    __tablename__ = "engineer_calendars"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    availability: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: SHA-256 of the token of ``/calendar/<token>.ics`` (``None``: no feed, or revoked).
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_issued_at: Mapped[datetime | None]


class BookingLink(Base):
    """A customer's one-time link to book one kind of meeting with one engineer.

    Only the SHA-256 of its token is stored. ``used_at`` is set, by a guarded ``UPDATE``, in
    the transaction that makes its booking.
    """

    __tablename__ = "booking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    engineer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]

    engagement: Mapped[Engagement] = relationship()
    engineer: Mapped[User] = relationship()


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Booking(Base):
    """A booked meeting: its time in UTC, who booked it, and its invitations' UID and SEQUENCE
    (the same UID for the booking's life; each change, a move or the cancellation, adds one)."""

    __tablename__ = "bookings"
    __table_args__ = (Index("ix_bookings_engineer_start", "engineer_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("booking_links.id", ondelete="CASCADE"), unique=True
    )
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    engineer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_email: Mapped[str] = mapped_column(String(254))
    customer_zone: Mapped[str] = mapped_column(String(64))
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[BookingStatus] = mapped_column(
        stored_by_value(BookingStatus), default=BookingStatus.CONFIRMED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    link: Mapped[BookingLink] = relationship()
    engineer: Mapped[User] = relationship()


class CalendarFeed(Base):
    """The address of an engineer's own calendar (``.ics``) whose busy times are not bookable.

    The worker fetches it on a schedule, never a customer's request: ``busy`` is the last good
    copy of its busy periods (``[[start, end], ...]`` in ISO UTC) from ``busy_from`` to
    ``busy_until``; a fetch that fails keeps it and says why in ``last_error``.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime | None]
    good_at: Mapped[datetime | None]
    busy: Mapped[list[list[str]] | None] = mapped_column(JSONType)
    busy_from: Mapped[datetime | None]
    busy_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
