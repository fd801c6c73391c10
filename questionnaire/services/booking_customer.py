"""The customer's side of a booking link: open it, and the page of free slots.

Opening reads only (mail scanners open links before people do): a token of the wrong shape is
refused before any query, and a link opens as one of the states of :class:`LinkState`. A used
link stays the customer's way to their booking (to see, move or cancel it), whatever its expiry.
The customer's zone is their questionnaire's answer where there is one, else the one they
chose on the page, else the default zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import FreeSlots, MeetingKind, MeetingRules, Slot, parse_zone
from questionnaire.store.bookings import Booking, BookingLink, BookingStatus
from questionnaire.store.models import Engagement, Response, User, utcnow

from . import links
from .booking_calendar import availability_of, free_slots_of
from .context import Context
from .validation_ids import VALIDATION

#: The questionnaire's question whose answer is the customer's zone (pre_discovery asks it).
ZONE_ANSWER = "timezone"
#: How a form names a slot: its start in UTC (``scheduling.Slot.key``).
SLOT_KEY = "%Y-%m-%dT%H:%M:%SZ"


class LinkState(Enum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Contact:
    """Whom the customer asks about the booking: the engineer whose calendar it is."""

    name: str
    email: str


class BookingRefused(Exception):
    """The token opens nothing the customer can use: unknown, expired or revoked."""

    def __init__(self, state: LinkState, contact: Contact | None = None) -> None:
        super().__init__(state.value)
        self.state, self.contact = state, contact


@dataclass(frozen=True)
class OpenBooking:
    """What a working link opens: the link, its engagement and engineer, its booking once used."""

    token: str
    link: BookingLink
    engagement: Engagement
    engineer: User
    kind: MeetingKind
    rules: MeetingRules
    booking: Booking | None

    @property
    def state(self) -> LinkState:
        return LinkState.USED if self.link.used_at is not None else LinkState.ACTIVE

    @property
    def contact(self) -> Contact:
        return Contact(self.engineer.name, self.engineer.email)

    @property
    def actor(self) -> str:
        return f"customer:booking:{self.link.id}"

    def changeable(self, now: datetime) -> bool:
        """Whether the customer may still move or cancel the booking themselves: it is
        confirmed and starts no sooner than the engineer's minimum notice."""
        booking = self.booking
        return (
            booking is not None
            and booking.status is BookingStatus.CONFIRMED
            and booking.starts_at - now >= self.rules.notice
        )


def open_booking(db: Session, context: Context, token: str) -> OpenBooking:
    """The link ``token`` opens (reads only); :class:`BookingRefused` if it opens none."""
    if not links.valid_shape(token):
        raise BookingRefused(LinkState.UNKNOWN)
    link = db.scalars(
        select(BookingLink)
        .where(BookingLink.token_hash == links.token_hash(token))
        .execution_options(populate_existing=True)
    ).first()
    if link is None:
        raise BookingRefused(LinkState.UNKNOWN)
    contact = Contact(link.engineer.name, link.engineer.email)
    if link.used_at is None and link.revoked_at is not None:
        raise BookingRefused(LinkState.REVOKED, contact)
    if link.used_at is None and link.expires_at <= utcnow():
        raise BookingRefused(LinkState.EXPIRED, contact)
    booking = db.scalars(
        select(Booking).where(Booking.link_id == link.id).execution_options(populate_existing=True)
    ).first()
    kind = MeetingKind(link.kind)
    rules = availability_of(db, context.settings.booking, link.engineer_id).rules(kind)
    return OpenBooking(token, link, link.engagement, link.engineer, kind, rules, booking)


@dataclass(frozen=True)
class ZoneShown:
    """The zone slots are shown in, and where it came from: ``answer`` (the questionnaire),
    ``chosen`` (on the page) or ``default``."""

    zone: ZoneInfo
    source: str


class UnknownZone(ValueError):
    """The zone chosen on the page is not one of the list's."""


def zone_for(db: Session, context: Context, opened: OpenBooking, chosen: str | None) -> ZoneShown:
    """The zone to show times in; :class:`UnknownZone` for a choice that is not a zone."""
    if chosen:
        zone = parse_zone(chosen)
        if zone is None:
            raise UnknownZone(chosen[:60])
        return ZoneShown(zone, "chosen")
    answered = answered_zone(db, opened.engagement.id)
    if answered is not None:
        return ZoneShown(answered, "answer")
    return ZoneShown(context.settings.booking.default_zone, "default")


def answered_zone(db: Session, engagement_id: int) -> ZoneInfo | None:
    """The zone the customer gave in the engagement's latest questionnaire, if any."""
    answers = db.scalar(
        select(Response.answers)
        .where(Response.engagement_id == engagement_id, Response.definition_id != VALIDATION)
        .order_by(Response.id.desc())
        .limit(1)
    )
    return parse_zone((answers or {}).get(ZONE_ANSWER))


@dataclass(frozen=True)
class SlotsPage:
    """The booking page: the free slots by day in the customer's zone."""

    opened: OpenBooking
    zone: ZoneShown
    slots: FreeSlots


def slots_page(
    db: Session,
    context: Context,
    opened: OpenBooking,
    zone: ZoneShown,
    *,
    now: datetime | None = None,
) -> SlotsPage:
    """The free slots of the link's engineer for its kind (a moved booking's own time is free)."""
    besides = opened.booking.id if opened.booking is not None else None
    found = free_slots_of(
        db, context.settings.booking, opened.engineer.id, opened.kind,
        now=now or utcnow(), zone=zone.zone, besides=besides,
    )  # fmt: skip
    return SlotsPage(opened, zone, found)


def slot_named(opened: OpenBooking, key: str, zone: ZoneShown) -> Slot | None:
    """The slot a form names by its key (its start in UTC, ``2027-03-30T13:00:00Z``), on the
    zone's clock; ``None`` for a key that is not one. Whether it is free is not checked here."""
    try:
        start = datetime.strptime(key, SLOT_KEY).replace(tzinfo=UTC)
    except ValueError:
        return None
    end = start + opened.rules.length
    return Slot(start.astimezone(zone.zone), end.astimezone(zone.zone))
