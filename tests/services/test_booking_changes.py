"""Moving and cancelling a booking: the same UID, a higher SEQUENCE, within the notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from questionnaire.services import booking_changes, booking_mail, mail_message
from questionnaire.services.booking_confirm import SlotTaken
from questionnaire.services.context import Context
from questionnaire.store.bookings import Booking, BookingStatus
from questionnaire.store.models import AuditEvent, utcnow

from .booking_support import NEW_YORK, book, emails, engagement, engineer, free, send_link
from .factories import Factory


def _event(email: object) -> tuple[str, object]:
    [part] = mail_message.calendar_parts(email)  # type: ignore[arg-type]
    calendar = Calendar.from_ical(part.content)
    return str(calendar["METHOD"]), calendar.walk("VEVENT")[0]


def _booked(make: Factory, db: Session, services: Context) -> tuple[str, Booking]:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    return token, book(db, services, token, free(db, services, token).slots.slots[0])


def test_moving_keeps_the_uid_adds_one_to_the_sequence_and_frees_the_old_time(
    make: Factory, db: Session, services: Context
) -> None:
    token, booking = _booked(make, db, services)
    old_key = free(db, services, token).slots.slots[0].key  # the page offers the own time too
    new = free(db, services, token).slots.slots[4]
    moved = booking_changes.reschedule(db, services, token, new.key, NEW_YORK)
    assert moved.id == booking.id and moved.uid == booking.uid and moved.sequence == 1
    assert (moved.starts_at, moved.ends_at) == (new.start, new.end)
    *_, customer = emails(db, booking_mail.CUSTOMER_TEMPLATE)
    *_, engineers = emails(db, booking_mail.ENGINEER_TEMPLATE)
    for email in (customer, engineers):
        method, event = _event(email)
        assert method == "REQUEST"
        assert event["UID"] == booking.uid and event["SEQUENCE"] == 1  # type: ignore[index]
        assert event.decoded("DTSTART") == new.start  # type: ignore[attr-defined]
    assert customer.subject.startswith("Moved: your discovery call is now")
    assert "has moved from" in customer.text_body
    assert free(db, services, token).slots.find(old_key) is not None  # free for others again
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert booking_changes.MOVED_ACTION in actions


def test_cancelling_sends_method_cancel_with_the_next_sequence_once(
    make: Factory, db: Session, services: Context
) -> None:
    token, booking = _booked(make, db, services)
    cancelled = booking_changes.cancel(db, services, token)
    assert cancelled.status is BookingStatus.CANCELLED and cancelled.sequence == 1
    *_, customer = emails(db, booking_mail.CUSTOMER_TEMPLATE)
    method, event = _event(customer)
    assert method == "CANCEL" and event["STATUS"] == "CANCELLED"  # type: ignore[index]
    assert event["UID"] == booking.uid and event["SEQUENCE"] == 1  # type: ignore[index]
    assert customer.subject.startswith("Cancelled: your discovery call")
    assert customer.sealed is None  # a cancelled booking's email offers no link to it
    with pytest.raises(booking_changes.TooLate):
        booking_changes.cancel(db, services, token)
    with pytest.raises(booking_changes.TooLate):
        booking_changes.reschedule(db, services, token, "2027-01-01T10:00:00Z", NEW_YORK)
    assert len(emails(db, booking_mail.CUSTOMER_TEMPLATE)) == 2  # booked, cancelled: no more


def test_within_the_engineers_notice_the_booking_can_no_longer_be_changed_online(
    make: Factory, db: Session, services: Context
) -> None:
    token, booking = _booked(make, db, services)
    # Two days' notice for a discovery call: a booking a day away is too close.
    soon = utcnow() + timedelta(days=1)
    db.execute(update(Booking).values(starts_at=soon, ends_at=soon + timedelta(hours=1)))
    db.commit()
    with pytest.raises(booking_changes.TooLate):
        booking_changes.cancel(db, services, token)
    with pytest.raises(booking_changes.TooLate):
        booking_changes.reschedule(db, services, token, "2027-01-01T10:00:00Z", NEW_YORK)
    db.expire_all()
    assert db.get(Booking, booking.id).status is BookingStatus.CONFIRMED  # type: ignore[union-attr]


def test_a_move_to_a_time_taken_meanwhile_is_refused_and_changes_nothing(
    make: Factory, db: Session, services: Context
) -> None:
    token, booking = _booked(make, db, services)
    other = send_link(db, services, engagement(make, db, "Beta Imaging").id)
    wanted = free(db, services, token).slots.slots[6]
    book(db, services, other, wanted)
    with pytest.raises(SlotTaken) as taken:
        booking_changes.reschedule(db, services, token, wanted.key, NEW_YORK)
    assert taken.value.page.slots.find(wanted.key) is None
    db.expire_all()
    kept = db.get(Booking, booking.id)
    assert kept is not None and kept.sequence == 0 and kept.starts_at == booking.starts_at


def test_nothing_to_change_before_anything_is_booked(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    token = send_link(db, services, engagement(make, db).id)
    with pytest.raises(booking_changes.NothingBooked):
        booking_changes.cancel(db, services, token)
