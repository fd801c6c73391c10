"""Helpers for the booking tests: an engineer with availability, an engagement with a contact,
a booking link sent (its token read from the email, as the customer gets it), a slot booked."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import Slot, parse_zone
from questionnaire.services import accounts, booking_confirm, booking_links, mail
from questionnaire.services.booking_customer import (
    SlotsPage,
    ZoneShown,
    open_booking,
    slots_page,
)
from questionnaire.services.context import Context
from questionnaire.store.bookings import Booking, EngineerCalendar
from questionnaire.store.models import Engagement, OutgoingEmail, Role, User, utcnow

from .factories import Factory

ENGINEER = "sam@example.com"
CONTACT = ("Jo Customer", "jo@acme.example.com")
TOKEN_IN_LINK = re.compile(r"/b/([A-Za-z0-9_-]{43})/")
NEW_YORK = ZoneShown(parse_zone("America/New_York"), "chosen")  # type: ignore[arg-type]
LONDON = ZoneShown(parse_zone("Europe/London"), "chosen")  # type: ignore[arg-type]
#: Every weekday and weekend day 08:00 to 18:00 in London: slots on any day of the week.
EVERY_DAY = {day: [{"start": "08:00", "end": "18:00"}] for day in
             ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}  # fmt: skip


def engineer(db: Session, email: str = ENGINEER, name: str = "Sam Engineer") -> User:
    return accounts.create_user(db, email, "a long enough password", name, roles={Role.ENGINEER})


def set_availability(db: Session, user_id: int, **plain: Any) -> None:
    """Store availability as the page saves it (the plain data ``scheduling`` reads)."""
    data = {"time_zone": "Europe/London", "weekly_hours": EVERY_DAY, **plain}
    calendar = db.get(EngineerCalendar, user_id) or EngineerCalendar(user_id=user_id)
    calendar.availability, calendar.updated_at = data, utcnow()
    db.add(calendar)
    db.commit()


def engagement(make: Factory, db: Session, customer: str = "Acme Health") -> Engagement:
    found = make.engagement(customer)
    found.contact_name, found.contact_email = CONTACT
    db.commit()
    return found


def form(kind: str = "discovery_call", days: str = "14", **changes: str) -> booking_links.SendForm:
    values = {"kind": kind, "expires_days": days, "contact_name": CONTACT[0],
              "contact_email": CONTACT[1], **changes}  # fmt: skip
    return booking_links.SendForm(**values)


def token_of(context: Context, email_id: int, db: Session) -> str:
    """The booking link's token, from the email as it is sent (its sealed link put in)."""
    email = db.get(OutgoingEmail, email_id)
    assert email is not None
    match = TOKEN_IN_LINK.search(mail.sealed_values(context, email)["link"])
    assert match
    return match.group(1)


def send_link(
    db: Session, context: Context, engagement_id: int, kind: str = "discovery_call",
    actor: str = ENGINEER,
) -> str:  # fmt: skip
    sent = booking_links.send_booking_link(db, context, engagement_id, form(kind), actor)
    return token_of(context, sent.email_id, db)


def free(db: Session, context: Context, token: str, zone: ZoneShown = NEW_YORK) -> SlotsPage:
    return slots_page(db, context, open_booking(db, context, token), zone)


def first_slot(db: Session, context: Context, token: str, zone: ZoneShown = NEW_YORK) -> Slot:
    slots = free(db, context, token, zone).slots.slots
    assert slots, "the engineer has no free slot"
    return slots[0]


def book(
    db: Session, context: Context, token: str, slot: Slot | None = None,
    zone: ZoneShown = NEW_YORK, name: str = CONTACT[0], email: str = CONTACT[1],
) -> Booking:  # fmt: skip
    chosen = slot or first_slot(db, context, token, zone)
    return booking_confirm.confirm(
        db, context, token, booking_confirm.ConfirmForm(chosen.key, name, email), zone
    )


def emails(db: Session, template: str) -> list[OutgoingEmail]:
    return list(
        db.scalars(
            select(OutgoingEmail)
            .where(OutgoingEmail.template == template)
            .order_by(OutgoingEmail.id)
        ).all()
    )


def later(days: int) -> timedelta:
    return timedelta(days=days)
