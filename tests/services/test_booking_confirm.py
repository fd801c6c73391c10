"""Confirming a slot: the booking, its emails and invitation, its history, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import booking_confirm, booking_mail, mail_message
from questionnaire.services.booking_customer import LinkState, open_booking
from questionnaire.services.context import Context
from questionnaire.store.bookings import Booking, BookingLink, BookingStatus
from questionnaire.store.models import AuditEvent, Engagement, PipelineStage

from .booking_support import (
    CONTACT,
    ENGINEER,
    LONDON,
    NEW_YORK,
    book,
    emails,
    engagement,
    engineer,
    free,
    send_link,
    set_availability,
)
from .factories import Factory


def _invitation(email: object) -> Calendar:
    [part] = mail_message.calendar_parts(email)  # type: ignore[arg-type]
    return Calendar.from_ical(part.content)


def test_a_booking_takes_the_slot_uses_the_link_and_records_who_booked_it(
    make: Factory, db: Session, services: Context
) -> None:
    sam = engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    slot = free(db, services, token).slots.slots[3]
    booking = book(db, services, token, slot)
    assert (booking.starts_at, booking.ends_at) == (slot.start, slot.end)
    assert booking.engineer_id == sam.id and booking.kind == "discovery_call"
    assert (booking.customer_name, booking.customer_email) == CONTACT
    assert booking.customer_zone == "America/New_York"
    assert booking.status is BookingStatus.CONFIRMED and booking.sequence == 0
    assert booking.uid == f"booking-{booking.link_id}@loadbalancer.org"
    assert open_booking(db, services, token).state is LinkState.USED
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == booking_confirm.CONFIRMED_ACTION)
    ).one()
    assert event.engagement_id == found.id and event.actor == f"customer:booking:{booking.link_id}"
    assert event.detail["starts_at"] == slot.start.astimezone(UTC).isoformat()


def test_both_sides_get_an_email_with_one_invitation_whose_times_agree(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    booking = book(db, services, token, zone=NEW_YORK)
    [customer] = emails(db, booking_mail.CUSTOMER_TEMPLATE)
    [engineers] = emails(db, booking_mail.ENGINEER_TEMPLATE)
    assert customer.recipients == [{"name": CONTACT[0], "address": CONTACT[1]}]
    assert engineers.recipients[0]["address"] == ENGINEER
    ours, theirs = _invitation(customer), _invitation(engineers)
    for calendar in (ours, theirs):
        [event] = calendar.walk("VEVENT")
        assert calendar["METHOD"] == "REQUEST"
        assert event["UID"] == booking.uid and event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == booking.starts_at
        assert event.decoded("DTEND") == booking.ends_at
        assert str(event["ORGANIZER"]) == f"mailto:{ENGINEER}"
        assert str(event["ATTENDEE"]) == f"mailto:{CONTACT[1]}"
    new_york = booking.starts_at.astimezone(NEW_YORK.zone)
    london = booking.starts_at.astimezone(LONDON.zone)
    assert (
        f"{new_york:%H:%M} to" in customer.text_body and "(America/New_York)" in customer.text_body
    )
    assert f"{london:%H:%M} to" in engineers.text_body and "(Europe/London)" in engineers.text_body
    assert customer.subject.startswith("Booked: your discovery call with Loadbalancer.org")
    assert "/b/" not in customer.text_body  # the link to the booking is sealed
    assert "/b/" not in str(customer.attachments)  # and the invitation carries none


def test_a_link_books_once(make: Factory, db: Session, services: Context) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    slots = free(db, services, token).slots.slots
    book(db, services, token, slots[0])
    with pytest.raises(booking_confirm.AlreadyUsed):
        book(db, services, token, slots[2])
    assert db.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_slot_taken_meanwhile_is_refused_with_the_refreshed_slots(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    first, second = engagement(make, db, "Acme Health"), engagement(make, db, "Beta Imaging")
    ours, theirs = send_link(db, services, first.id), send_link(db, services, second.id)
    shown = free(db, services, theirs).slots.slots  # the page they were looking at
    book(db, services, ours, shown[0])
    with pytest.raises(booking_confirm.SlotTaken) as taken:
        book(db, services, theirs, shown[0])
    assert taken.value.page.slots.find(shown[0].key) is None
    assert taken.value.page.slots.slots  # other times to choose from
    assert open_booking(db, services, theirs).state is LinkState.ACTIVE  # nothing was used up
    assert db.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_time_next_to_a_booking_is_refused_within_the_buffer(
    make: Factory, db: Session, services: Context
) -> None:
    """A 30-minute validation call right after a 60-minute discovery call: the 15-minute
    buffer keeps it out, though the two do not overlap."""
    engineer(db)
    first, second = engagement(make, db, "Acme Health"), engagement(make, db, "Beta Imaging")
    ours = send_link(db, services, first.id)
    theirs = send_link(db, services, second.id, kind="validation_call")
    booked = book(db, services, ours, free(db, services, ours).slots.slots[5])
    later = [s for s in free(db, services, theirs).slots.slots if s.start >= booked.ends_at]
    assert later and later[0].start >= booked.ends_at + timedelta(minutes=15)


def test_name_and_email_are_checked_and_nothing_is_booked_until_they_are_right(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    with pytest.raises(booking_confirm.InvalidConfirm) as invalid:
        book(db, services, token, name="  ", email="jo@")
    assert set(invalid.value.errors) == {"name", "email"}
    with pytest.raises(booking_confirm.InvalidConfirm):
        book(db, services, token, name="Jo\r\nBcc: x@evil.example", email="jo\n@x.example")
    assert db.scalar(select(func.count()).select_from(Booking)) == 0
    assert open_booking(db, services, token).state is LinkState.ACTIVE


def test_a_slot_that_was_never_offered_is_refused(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    for key in ("2000-01-01T09:00:00Z", "2999-01-01T09:00:00Z", "not a time", ""):
        form = booking_confirm.ConfirmForm(key, *CONTACT)
        with pytest.raises(booking_confirm.SlotTaken):
            booking_confirm.confirm(db, services, token, form, NEW_YORK)
    assert db.scalars(select(BookingLink.used_at)).all() == [None]  # the link is not used up


def test_booking_an_implementation_session_moves_the_card_from_sow_to_planned(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    found.pipeline_stage = PipelineStage.STATEMENT_OF_WORK
    db.commit()
    book(db, services, send_link(db, services, found.id))  # a discovery call: it stays
    db.expire_all()
    assert db.get(Engagement, found.id).pipeline_stage == PipelineStage.STATEMENT_OF_WORK  # type: ignore[union-attr]
    book(db, services, send_link(db, services, found.id, kind="implementation_session"))
    db.expire_all()
    assert db.get(Engagement, found.id).pipeline_stage == PipelineStage.PLANNED  # type: ignore[union-attr]
    move = db.scalars(select(AuditEvent).where(AuditEvent.action == "board.move")).one()
    assert move.detail["reason"] == "the customer booked an implementation session"


def test_the_engineers_hours_and_days_off_bound_the_slots(
    make: Factory, db: Session, services: Context
) -> None:
    sam = engineer(db)
    tuesdays = {"tuesday": [{"start": "10:00", "end": "12:00"}]}
    set_availability(db, sam.id, weekly_hours=tuesdays, time_zone="Europe/London")
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    slots = free(db, services, token, LONDON).slots.slots
    assert slots
    for slot in slots:
        assert slot.start.strftime("%A") == "Tuesday"
        assert slot.start.strftime("%H:%M") in ("10:00", "11:00")
    first_day = slots[0].start.date()
    set_availability(db, sam.id, weekly_hours=tuesdays,
                     days_off=[{"first": first_day.isoformat()}])  # fmt: skip
    assert all(s.start.date() != first_day for s in free(db, services, token, LONDON).slots.slots)


def test_busy_times_from_the_feed_are_not_offered(
    make: Factory, db: Session, services: Context
) -> None:
    from questionnaire.store.bookings import CalendarFeed

    sam = engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    slot = free(db, services, token).slots.slots[2]
    busy = [[slot.start.astimezone(UTC).isoformat(), slot.end.astimezone(UTC).isoformat()]]
    db.add(CalendarFeed(engineer_id=sam.id, url="https://cal.example/x.ics", busy=busy,
                        added_at=datetime.now(UTC)))  # fmt: skip
    db.commit()
    assert free(db, services, token).slots.find(slot.key) is None
