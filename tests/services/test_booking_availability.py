"""The engineer's availability page: saving with a message per field, the feed's address, and
the private feed of their bookings."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import (
    MeetingKind,
    availability_to_plain,
    default_availability,
)
from questionnaire.services import booking_availability as availability
from questionnaire.services import booking_feed, booking_fetch, links
from questionnaire.services.booking_availability_form import plain_to_fields
from questionnaire.services.booking_calendar import availability_of
from questionnaire.services.booking_settings import LONDON
from questionnaire.services.context import Context
from questionnaire.store.bookings import CalendarFeed, EngineerCalendar
from questionnaire.store.models import Job

from .booking_support import ENGINEER, book, engagement, engineer, send_link
from .factories import Factory


def _form(**changes: str) -> dict[str, str]:
    """The page's form as the browser posts it, starting from the defaults a first visit shows."""
    values, _ = plain_to_fields(availability_to_plain(default_availability(LONDON)))
    values.update({"weekly_hours.monday.1.start": "", "weekly_hours.monday.1.end": "",
                   "days_off.0.first": "", "days_off.0.last": "", "feed_url": ""})  # fmt: skip
    values.update(changes)
    return values


def test_the_first_visit_shows_the_defaults_and_saving_makes_them_the_engineers(
    db: Session, services: Context
) -> None:
    sam = engineer(db)
    page = availability.availability_page(db, services, sam.id)
    assert not page.saved
    assert page.values["time_zone"] == "Europe/London"
    assert page.values["weekly_hours.monday.0.start"] == "09:00"
    assert page.values["meetings.discovery_call.length_minutes"] == "60"
    assert page.values["meetings.discovery_call.notice_hours"] == "48"
    assert page.values["meetings.discovery_call.ahead_days"] == "21"
    availability.save_availability(db, services, sam.id, _form(), ENGINEER)
    assert availability.availability_page(db, services, sam.id).saved


def test_what_is_saved_is_what_booking_pages_use(db: Session, services: Context) -> None:
    sam = engineer(db)
    posted = _form(**{
        "time_zone": "America/New_York",
        "weekly_hours.monday.0.start": "08:00", "weekly_hours.monday.0.end": "12:00",
        "weekly_hours.monday.1.start": "13:00", "weekly_hours.monday.1.end": "16:30",
        "weekly_hours.friday.0.start": "", "weekly_hours.friday.0.end": "",
        "days_off.1.first": "2027-08-02", "days_off.1.last": "2027-08-06",
        "meetings.validation_call.length_minutes": "45",
    })  # fmt: skip
    availability.save_availability(db, services, sam.id, posted, ENGINEER)
    saved = availability_of(db, services.settings.booking, sam.id)
    assert saved.zone.key == "America/New_York"
    assert [(h.start.isoformat(), h.end.isoformat()) for h in saved.weekly[0]] == [
        ("08:00:00", "12:00:00"), ("13:00:00", "16:30:00"),
    ]  # fmt: skip
    assert saved.weekly[4] == ()  # Friday left blank: a day off
    assert [(d.first.isoformat(), d.last.isoformat()) for d in saved.days_off] == [
        ("2027-08-02", "2027-08-06")
    ]
    assert saved.rules(MeetingKind.VALIDATION_CALL).length.total_seconds() == 45 * 60


def test_each_mistake_is_named_by_the_field_the_engineer_typed_it_in_and_nothing_is_saved(
    db: Session, services: Context
) -> None:
    sam = engineer(db)
    posted = _form(**{
        "time_zone": "Mars/Olympus",
        "weekly_hours.tuesday.0.end": "08:00",  # before its start, 09:00
        "weekly_hours.wednesday.1.start": "12:00", "weekly_hours.wednesday.1.end": "13:00",
        "weekly_hours.thursday.0.start": "9:10",
        "days_off.1.first": "2027-02-30",
        "meetings.discovery_call.length_minutes": "",
        "meetings.implementation_session.notice_hours": "٦٠",
        "feed_url": "file:///etc/passwd",
    })  # fmt: skip
    with pytest.raises(availability.InvalidAvailability) as invalid:
        availability.save_availability(db, services, sam.id, posted, ENGINEER)
    errors = invalid.value.errors
    assert set(errors) == {
        "time_zone", "weekly_hours.tuesday.0.end", "weekly_hours.wednesday.1.start",
        "weekly_hours.thursday.0.start", "days_off.1.first",
        "meetings.discovery_call.length_minutes", "meetings.implementation_session.notice_hours",
        "feed_url",
    }  # fmt: skip
    assert "overlap 09:00 to 17:00" in errors["weekly_hours.wednesday.1.start"]
    assert "quarter hour" in errors["weekly_hours.thursday.0.start"]
    assert "real date" in errors["days_off.1.first"]
    assert db.scalars(select(EngineerCalendar)).all() == []
    page = availability.availability_page(db, services, sam.id, typed=posted, errors=errors)
    assert page.values["weekly_hours.thursday.0.start"] == "9:10"  # as typed
    assert page.rows.days_off == 2


def test_a_new_feed_address_is_fetched_at_once_and_webcal_means_https(
    db: Session, services: Context
) -> None:
    sam = engineer(db)
    url = "webcal://calendar.example.com/secret/basic.ics"
    availability.save_availability(db, services, sam.id, _form(feed_url=url), ENGINEER)
    feed = db.scalars(select(CalendarFeed)).one()
    assert feed.url == "https://calendar.example.com/secret/basic.ics"
    [job] = db.scalars(select(Job).where(Job.kind == booking_fetch.FETCH_JOB)).all()
    assert job.payload == {"feed_id": feed.id}
    availability.save_availability(db, services, sam.id, _form(feed_url=feed.url), ENGINEER)
    assert len(db.scalars(select(Job)).all()) == 1  # the same address: nothing to fetch again
    availability.save_availability(db, services, sam.id, _form(feed_url=""), ENGINEER)
    assert db.scalars(select(CalendarFeed)).all() == []


def test_the_private_feed_lists_the_engineers_bookings_and_ends_when_revoked(
    make: Factory, db: Session, services: Context
) -> None:
    sam = engineer(db)
    token = send_link(db, services, engagement(make, db).id)
    booking = book(db, services, token)
    url = availability.issue_private_feed(db, services, sam.id, ENGINEER)
    feed_token = url.removeprefix("https://questionnaire.example.com/calendar/").removesuffix(
        ".ics"
    )
    assert links.valid_shape(feed_token)
    stored = db.get(EngineerCalendar, sam.id)
    assert stored is not None and stored.feed_token_hash == links.token_hash(feed_token)
    calendar = Calendar.from_ical(booking_feed.own_feed(db, feed_token).content)
    assert "METHOD" not in calendar
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == booking.uid and event.decoded("DTSTART") == booking.starts_at
    assert "ATTENDEE" not in event
    again = availability.issue_private_feed(db, services, sam.id, ENGINEER)
    with pytest.raises(booking_feed.NoSuchFeed):
        booking_feed.own_feed(db, feed_token)  # replaced
    assert availability.revoke_private_feed(db, sam.id, ENGINEER)
    with pytest.raises(booking_feed.NoSuchFeed):
        booking_feed.own_feed(db, again.rsplit("/", 1)[1].removesuffix(".ics"))
    assert not availability.revoke_private_feed(db, sam.id, ENGINEER)
    for bad in ("", "x" * 43, "../../etc", "\x00" * 43):
        with pytest.raises(booking_feed.NoSuchFeed):
            booking_feed.own_feed(db, bad)
