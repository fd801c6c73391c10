"""The emails of a booking, to both sides, each with the invitation attached.

One invitation (``scheduling.invitation``) per change, the same file for the customer and the
engineer: the booking's UID, its SEQUENCE as the row holds it (0 when booked, one more for
each move and for the cancellation), METHOD:REQUEST, or METHOD:CANCEL once cancelled, so a
calendar replaces or removes the event it has instead of adding one. Times in the file are
UTC; each email words them on its reader's clock. The customer's email carries the link to
their booking sealed (``mail_sealed``), and the invitation itself carries no link at all: it is
stored readable in the outbox row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from questionnaire.scheduling import Meeting, MeetingKind, Period, Person, invitation
from questionnaire.scheduling.calendar import Status
from questionnaire.store.bookings import Booking, BookingStatus
from questionnaire.store.models import Engagement, User, utcnow

from . import mail
from .booking_calendar import zone_of
from .booking_links import booking_url
from .booking_words import LOCATION, PURPOSES, TITLES, when
from .context import Context

CUSTOMER_TEMPLATE, ENGINEER_TEMPLATE = "booking_customer", "booking_engineer"


class Change(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"


def meeting_of(booking: Booking, engagement: Engagement, engineer: User) -> Meeting:
    """The booking as calendars see it (the engineer organises, the customer attends)."""
    kind = MeetingKind(booking.kind)
    return Meeting(
        uid=booking.uid,
        sequence=booking.sequence,
        period=Period(booking.starts_at, booking.ends_at),
        summary=f"{TITLES[kind]}: {engagement.customer} and Loadbalancer.org",
        description=(
            f"{TITLES[kind]} with {engineer.name} of Loadbalancer.org, {PURPOSES[kind]}.\n"
            f"Booked by {booking.customer_name} ({booking.customer_email}) for "
            f"{engagement.customer}."
        ),
        location=LOCATION,
        organizer=Person(engineer.name, engineer.email),
        attendee=Person(booking.customer_name, booking.customer_email),
        status=Status.CANCELLED if booking.status is BookingStatus.CANCELLED else Status.CONFIRMED,
    )


def queue_both(
    db: Session,
    context: Context,
    booking: Booking,
    change: Change,
    *,
    token: str,
    actor: str,
    before: Period | None = None,
    now: datetime | None = None,
) -> None:
    """Queue the customer's and the engineer's emails, in the caller's transaction."""
    engagement, engineer = _loaded(db, booking)
    ics = invitation(meeting_of(booking, engagement, engineer), stamp=now or utcnow())
    calendar = mail.CalendarPart(ics.content, ics.method or "REQUEST")
    kind = MeetingKind(booking.kind)
    shared = {
        "change": change.value, "meeting": TITLES[kind].lower(), "organisation": engagement.customer,
        "project": engagement.project, "engineer_name": engineer.name,
        "engineer_email": engineer.email, "customer_name": booking.customer_name,
        "customer_email": booking.customer_email, "purpose": PURPOSES[kind],
    }  # fmt: skip
    customer_zone = ZoneInfo(booking.customer_zone)
    mail.queue(
        db, context, template=CUSTOMER_TEMPLATE, actor=actor, engagement_id=engagement.id,
        to=[(booking.customer_name, booking.customer_email)], reply_to=engineer.email,
        values={**shared, **_times(booking, before, customer_zone)}, calendar=calendar,
        sealed=None if change is Change.CANCELLED else {
            "manage": booking_url(context.settings.base_url, token) + "booked"
        },
    )  # fmt: skip
    engineer_zone = zone_of(db, context.settings.booking, engineer.id)
    mail.queue(
        db, context, template=ENGINEER_TEMPLATE, actor=actor, engagement_id=engagement.id,
        to=[(engineer.name, engineer.email)], calendar=calendar,
        values={**shared, **_times(booking, before, engineer_zone),
                "engagement_id": engagement.id},
    )  # fmt: skip


def _times(booking: Booking, before: Period | None, zone: ZoneInfo) -> dict[str, str | None]:
    return {
        "when": when(booking.starts_at, booking.ends_at, zone),
        "previously": when(before.start, before.end, zone) if before else None,
    }


def _loaded(db: Session, booking: Booking) -> tuple[Engagement, User]:
    engagement = db.get(Engagement, booking.engagement_id)
    engineer = db.get(User, booking.engineer_id)
    assert engagement is not None and engineer is not None  # the booking's foreign keys
    return engagement, engineer
