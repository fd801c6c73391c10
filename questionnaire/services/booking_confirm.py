"""The customer confirms a slot: the booking, in one transaction the database decides.

In order, in one writer's transaction:

1. the link is marked used by a guarded ``UPDATE ... WHERE used_at IS NULL AND revoked_at IS
   NULL AND expires_at > now``: of two confirmations through one link, the second finds it
   used (on PostgreSQL it waits for the first's row lock, then sees its commit);
2. the engineer's row is locked (``booking_calendar.lock_engineer``) and the free slots are
   worked out again from what has committed: a slot taken meanwhile, or now inside another
   booking's buffer, is refused with the refreshed slots;
3. the booking is a guarded ``INSERT ... SELECT ... WHERE NOT EXISTS`` (a confirmed booking of
   the engineer that overlaps it), under the unique ``link_id`` and, on PostgreSQL, the
   exclusion constraint: if anything slipped past the steps before, the database refuses it
   (``IntegrityError``), and the customer is told the time was taken;
4. the history, the stage where the seed says so, and both emails with the invitation.

It all commits, or none of it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, exists, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import SimpleTypedQuestion, TextQuestion
from questionnaire.scheduling import Slot, booking_uid
from questionnaire.store.bookings import Booking, BookingLink, BookingStatus
from questionnaire.store.models import UTCDateTime, utcnow

from . import audit, board
from .booking_calendar import lock_engineer
from .booking_customer import OpenBooking, SlotsPage, ZoneShown, open_booking, slots_page
from .booking_mail import Change, queue_both
from .context import Context

CONFIRMED_ACTION = "booking.confirmed"
_EMAIL = SimpleTypedQuestion(id="email", label="email", type="email")
_NAME = TextQuestion(id="name", label="name", type="text", max_length=200)


@dataclass(frozen=True)
class ConfirmForm:
    """What the confirmation form posted: the slot's key (its UTC start), name and email."""

    slot: str
    name: str
    email: str


class InvalidConfirm(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SlotTaken(Exception):
    """The slot is no longer free: booked by someone else since the page was drawn. Carries
    the refreshed slots to choose from."""

    def __init__(self, page: SlotsPage) -> None:
        super().__init__("that time has just been taken")
        self.page = page


class AlreadyUsed(Exception):
    """The link booked a meeting already (perhaps a moment ago, in another tab)."""


def check(form: ConfirmForm) -> tuple[str, str]:
    """The name and address, or :class:`InvalidConfirm` with a message per field."""
    errors: dict[str, str] = {}
    name = parse_answer(_NAME, form.name)
    if name is None:
        name = Invalid("Enter your name")
    if isinstance(name, Invalid):
        errors["name"] = name.message
    address = parse_answer(_EMAIL, form.email)
    if address is None:
        address = Invalid("Enter your email address, for the invitation")
    if isinstance(address, Invalid):
        errors["email"] = address.message
    if errors:
        raise InvalidConfirm(errors)
    assert isinstance(name, str) and isinstance(address, str)
    return name, address


def confirm(
    db: Session, context: Context, token: str, form: ConfirmForm, zone: ZoneShown
) -> Booking:
    """Book the slot; commits. Raises ``BookingRefused``, :class:`AlreadyUsed`,
    :class:`InvalidConfirm` (nothing written) or :class:`SlotTaken` (nothing written)."""
    opened = open_booking(db, context, token)
    if opened.booking is not None or opened.link.used_at is not None:
        raise AlreadyUsed
    name, address = check(form)
    now = utcnow()
    if not _mark_used(db, opened.link.id, now):
        db.rollback()
        raise AlreadyUsed
    lock_engineer(db, opened.engineer.id)
    page = slots_page(db, context, opened, zone, now=now)
    slot = page.slots.find(form.slot)
    if slot is None or not insert_if_free(db, context, opened, slot, name, address, zone, now):
        db.rollback()
        raise SlotTaken(slots_page(db, context, open_booking(db, context, token), zone))
    booking = db.scalars(select(Booking).where(Booking.link_id == opened.link.id)).one()
    _record(db, opened, booking)
    queue_both(db, context, booking, Change.BOOKED, token=token, actor=opened.actor, now=now)
    try:
        db.commit()
    except IntegrityError:  # the exclusion constraint, checked at commit if deferred
        db.rollback()
        raise SlotTaken(slots_page(db, context, open_booking(db, context, token), zone)) from None
    return booking


def _mark_used(db: Session, link_id: int, now: datetime) -> bool:
    result = db.execute(
        update(BookingLink)
        .where(
            BookingLink.id == link_id, BookingLink.used_at.is_(None),
            BookingLink.revoked_at.is_(None), BookingLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return cast(CursorResult[Any], result).rowcount == 1


def insert_if_free(
    db: Session, context: Context, opened: OpenBooking, slot: Slot, name: str, address: str,
    zone: ZoneShown, now: datetime,
) -> bool:  # fmt: skip
    """The guarded insert: a row only if no confirmed booking of the engineer overlaps it.
    Whether it was made (an ``IntegrityError`` from the constraints counts as not made)."""
    period = slot.period
    domain = context.settings.mail.sender.rpartition("@")[2].rstrip(">").strip() or "localhost"
    values: dict[str, Any] = {
        "link_id": opened.link.id, "engagement_id": opened.engagement.id,
        "engineer_id": opened.engineer.id, "kind": opened.kind.value,
        "starts_at": period.start, "ends_at": period.end, "customer_name": name,
        "customer_email": address, "customer_zone": zone.zone.key,
        "uid": booking_uid(opened.link.id, domain), "sequence": 0,
        "status": BookingStatus.CONFIRMED.value, "created_at": now, "updated_at": now,
    }  # fmt: skip
    overlapping = exists().where(
        Booking.engineer_id == opened.engineer.id,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.starts_at < literal(period.end, UTCDateTime()),
        Booking.ends_at > literal(period.start, UTCDateTime()),
    )
    row = select(*(literal(value, Booking.__table__.c[key].type) for key, value in values.items()))
    statement = insert(Booking).from_select(list(values), row.where(~overlapping))
    try:
        with db.begin_nested():
            # RETURNING, not rowcount: drivers disagree on the rowcount of INSERT ... SELECT.
            made = db.execute(statement.returning(Booking.id)).scalar()
    except IntegrityError:
        return False
    return made is not None


def _record(db: Session, opened: OpenBooking, booking: Booking) -> None:
    audit.record(
        db, opened.actor, CONFIRMED_ACTION, engagement_id=opened.engagement.id,
        booking_id=booking.id, kind=booking.kind, starts_at=booking.starts_at.isoformat(),
        engineer=opened.engineer.email, customer=booking.customer_email,
    )  # fmt: skip
    board.note_booked(db, opened.engagement.id, opened.kind, actor=opened.actor)
