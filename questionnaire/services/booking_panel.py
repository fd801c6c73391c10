"""What the engagement page and the board say about bookings: the engagement's bookings and
booking links, the send form's starting values, and each card's next booked meeting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import MeetingKind
from questionnaire.store.bookings import Booking, BookingLink, BookingStatus
from questionnaire.store.models import Engagement, User, utcnow

from .booking_calendar import zone_of
from .booking_words import TITLES, on_card, when
from .context import Context
from .invitations import MAX_DAYS, MIN_DAYS


@dataclass(frozen=True)
class BookingShown:
    title: str
    when: str  # on the clock of the engineer whose calendar it is
    customer: str
    engineer: str
    status: str  # confirmed or cancelled
    past: bool


@dataclass(frozen=True)
class LinkShown:
    id: int
    title: str
    state: str  # active, used, expired or revoked
    engineer: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class BookingPanel:
    """The "Book a meeting" section: bookings, links, and the send form's starting values."""

    bookings: list[BookingShown]
    links: list[LinkShown]
    kinds: list[tuple[str, str]]
    expires_days: int
    min_days: int
    max_days: int
    contact_name: str
    contact_email: str


def link_state(link: BookingLink, now: datetime) -> str:
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def panel(db: Session, context: Context, engagement: Engagement) -> BookingPanel:
    now = utcnow()
    rows = db.execute(
        select(Booking, User.name)
        .join(User, User.id == Booking.engineer_id)
        .where(Booking.engagement_id == engagement.id)
        .order_by(Booking.starts_at)
    ).all()
    bookings = [
        BookingShown(
            TITLES[MeetingKind(booking.kind)],
            when(booking.starts_at, booking.ends_at,
                 zone_of(db, context.settings.booking, booking.engineer_id)),
            f"{booking.customer_name} ({booking.customer_email})", name, booking.status.value,
            booking.ends_at <= now,
        )
        for booking, name in rows
    ]  # fmt: skip
    found = db.execute(
        select(BookingLink, User.name)
        .join(User, User.id == BookingLink.engineer_id)
        .where(BookingLink.engagement_id == engagement.id)
        .order_by(BookingLink.id.desc())
        .limit(20)
    ).all()
    shown = [
        LinkShown(link.id, TITLES[MeetingKind(link.kind)], link_state(link, now), name,
                  link.created_at, link.expires_at)
        for link, name in found
    ]  # fmt: skip
    return BookingPanel(
        bookings, shown, [(kind.value, TITLES[kind]) for kind in MeetingKind],
        context.settings.booking.link_expiry_days, MIN_DAYS, MAX_DAYS,
        engagement.contact_name or "", engagement.contact_email or "",
    )  # fmt: skip


def upcoming(
    db: Session, engagement_ids: Iterable[int], now: datetime, zone: ZoneInfo
) -> dict[int, str]:
    """Each engagement's soonest confirmed meeting still to come, as its board card says it
    ("discovery call Tue 14:00 your time", on ``zone``'s clock)."""
    wanted = set(engagement_ids)
    if not wanted:
        return {}
    rows = db.execute(
        select(Booking.engagement_id, Booking.kind, Booking.starts_at)
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.ends_at > now)
        .order_by(Booking.starts_at)
    ).all()
    found: dict[int, str] = {}
    for engagement_id, kind, starts_at in rows:
        if engagement_id in wanted and engagement_id not in found:
            found[engagement_id] = on_card(MeetingKind(kind), starts_at, zone, now)
    return found
