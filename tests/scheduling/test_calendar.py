"""Invitations and feeds, parsed back: every property is where calendars look for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component

from questionnaire.scheduling.calendar import (
    Meeting,
    Person,
    Status,
    booking_uid,
    bookings_feed,
    invitation,
)
from questionnaire.scheduling.feed_reader import busy_periods
from questionnaire.scheduling.periods import Period

from .ical import prop

START = datetime(2027, 3, 30, 9, tzinfo=ZoneInfo("Europe/London"))  # 08:00 UTC
STAMP = datetime(2027, 3, 24, 12, 5, tzinfo=UTC)
CALL = Meeting(
    uid=booking_uid(42, "loadbalancer.org"),
    sequence=0,
    period=Period(START, START + timedelta(hours=1)),
    summary="Discovery call: Acme Health",
    description="What we will cover:\n- your services\n- the timeline",
    location="Microsoft Teams",
    organizer=Person("Sam Engineer", "sam@loadbalancer.org"),
    attendee=Person("Alex Customer", "alex@acme.example"),
    url="https://forms.example.com/b/manage",
)


def parsed(content: bytes) -> tuple[Calendar, Component]:
    calendar = Calendar.from_ical(content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_an_invitation_is_a_request_with_everything_calendars_need() -> None:
    file = invitation(CALL, stamp=STAMP)
    assert file.method == "REQUEST"
    assert file.content_type == "text/calendar; charset=UTF-8; method=REQUEST"
    calendar, event = parsed(file.content)
    assert (prop(calendar, "VERSION"), prop(calendar, "METHOD"), prop(calendar, "CALSCALE")) == (
        "2.0",
        "REQUEST",
        "GREGORIAN",
    )
    assert prop(calendar, "PRODID") == "-//Loadbalancer.org//questionnaire bookings//EN"
    assert prop(event, "UID") == "booking-42@loadbalancer.org"
    assert prop(event, "SEQUENCE") == 0
    assert prop(event, "DTSTART").dt == datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert prop(event, "DTEND").dt == datetime(2027, 3, 30, 9, tzinfo=UTC)
    assert prop(event, "DTSTAMP").dt == STAMP
    assert (
        prop(event, "SUMMARY"),
        prop(event, "LOCATION"),
        prop(event, "STATUS"),
        prop(event, "TRANSP"),
    ) == (
        "Discovery call: Acme Health",
        "Microsoft Teams",
        "CONFIRMED",
        "OPAQUE",
    )
    assert prop(event, "DESCRIPTION") == "What we will cover:\n- your services\n- the timeline"
    assert prop(event, "URL") == "https://forms.example.com/b/manage"
    assert prop(event, "ORGANIZER") == "mailto:sam@loadbalancer.org"
    assert prop(event, "ORGANIZER").params["CN"] == "Sam Engineer"
    attendee = prop(event, "ATTENDEE")
    assert attendee == "mailto:alex@acme.example"
    assert dict(attendee.params) == {
        "CN": "Alex Customer",
        "CUTYPE": "INDIVIDUAL",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "TRUE",
    }


def test_times_are_written_in_utc_so_no_time_zone_definition_is_needed() -> None:
    content = invitation(CALL, stamp=STAMP).content
    assert b"DTSTART:20270330T080000Z\r\n" in content
    assert b"DTEND:20270330T090000Z\r\n" in content
    assert b"VTIMEZONE" not in content


def test_the_file_is_rfc_5545_text_crlf_lines_folded_at_75_octets() -> None:
    long = CALL.__class__(**{**CALL.__dict__, "description": "word " * 100})
    content = invitation(long, stamp=STAMP).content
    assert content.endswith(b"\r\n") and b"\n" not in content.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence() -> None:
    later = Period(START + timedelta(days=1), START + timedelta(days=1, hours=1))
    moved = CALL.moved_to(later)
    _, event = parsed(invitation(moved, stamp=STAMP).content)
    assert prop(event, "UID") == "booking-42@loadbalancer.org"
    assert prop(event, "SEQUENCE") == 1
    assert prop(event, "DTSTART").dt == datetime(2027, 3, 31, 8, tzinfo=UTC)
    assert prop(event, "STATUS") == "CONFIRMED"
    assert moved.moved_to(CALL.period).sequence == 2


def test_a_cancellation_is_a_cancel_of_the_same_event_with_a_higher_sequence() -> None:
    cancelled = CALL.moved_to(CALL.period).cancelled()
    file = invitation(cancelled, stamp=STAMP)
    assert file.method == "CANCEL"
    assert file.content_type == "text/calendar; charset=UTF-8; method=CANCEL"
    calendar, event = parsed(file.content)
    assert prop(calendar, "METHOD") == "CANCEL"
    assert (prop(event, "UID"), prop(event, "SEQUENCE"), prop(event, "STATUS")) == (
        "booking-42@loadbalancer.org",
        2,
        "CANCELLED",
    )
    # Outlook matches a cancellation by organizer and attendee as well as UID.
    assert prop(event, "ORGANIZER") == "mailto:sam@loadbalancer.org"
    assert prop(event, "ATTENDEE") == "mailto:alex@acme.example"


HOSTILE = 'Alex "Boss" Customer, Acme; Ltd\r\nATTENDEE:mailto:eve@evil.example\r\nMETHOD:PUBLISH\\'


def test_text_from_customers_is_escaped_never_a_new_property() -> None:
    hostile = CALL.__class__(
        **{
            **CALL.__dict__,
            "summary": f"Discovery call: {HOSTILE}",
            "description": f"Booked by {HOSTILE}",
            "location": HOSTILE,
            "attendee": Person(HOSTILE, "alex@acme.example"),
        }
    )
    content = invitation(hostile, stamp=STAMP).content
    calendar, event = parsed(content)
    assert prop(calendar, "METHOD") == "REQUEST"
    assert b"\r\nATTENDEE:mailto:eve" not in content and b"\r\nMETHOD:PUBLISH" not in content
    names = [
        line.split(b":")[0].split(b";")[0]
        for line in content.replace(b"\r\n ", b"").split(b"\r\n")
        if line
    ]
    assert (
        names.count(b"ATTENDEE") == 1
        and names.count(b"METHOD") == 1
        and names.count(b"ORGANIZER") == 1
    )
    one_line = 'Alex "Boss" Customer, Acme; Ltd ATTENDEE:mailto:eve@evil.example METHOD:PUBLISH\\'
    assert prop(event, "SUMMARY") == f"Discovery call: {one_line}"
    assert prop(event, "LOCATION") == one_line
    assert prop(event, "DESCRIPTION") == f"Booked by {HOSTILE.replace(chr(13) + chr(10), chr(10))}"
    assert prop(event, "ATTENDEE") == "mailto:alex@acme.example"
    assert prop(event, "ATTENDEE").params["CN"] == one_line.replace('"', "'")


@pytest.mark.parametrize(
    "address",
    [
        "alex@acme.example\r\nATTENDEE:mailto:eve@evil.example",
        "alex",
        "a b@acme.example",
        "alex@acme.example:x",
    ],
)
def test_an_address_that_is_not_one_is_refused(address: str) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        Person("Alex", address)


def test_the_feed_is_a_published_calendar_without_a_method_or_attendees() -> None:
    second = CALL.__class__(
        **{
            **CALL.__dict__,
            "uid": booking_uid(43, "loadbalancer.org"),
            "period": Period(START + timedelta(days=2), START + timedelta(days=2, hours=4)),
        }
    )
    file = bookings_feed([CALL, second], name="Sam Engineer: bookings", stamp=STAMP)
    assert file.method is None and file.content_type == "text/calendar; charset=UTF-8"
    calendar = Calendar.from_ical(file.content)
    assert "METHOD" not in calendar
    assert (
        prop(calendar, "X-WR-CALNAME") == "Sam Engineer: bookings"
        and prop(calendar, "NAME") == "Sam Engineer: bookings"
    )
    assert prop(calendar, "REFRESH-INTERVAL").dt == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in file.content
    events = calendar.walk("VEVENT")
    assert [prop(event, "UID") for event in events] == [
        "booking-42@loadbalancer.org",
        "booking-43@loadbalancer.org",
    ]
    assert not [event for event in events if "ATTENDEE" in event or "ORGANIZER" in event]


def test_the_feed_reads_back_as_the_engineers_busy_times() -> None:
    cancelled = CALL.__class__(
        **{
            **CALL.__dict__,
            "uid": "gone@x",
            "period": Period(START + timedelta(days=1), START + timedelta(days=1, hours=1)),
        }
    ).cancelled()
    content = bookings_feed([CALL, cancelled], name="Bookings", stamp=STAMP).content
    window = Period(START - timedelta(days=1), START + timedelta(days=7))
    assert busy_periods(content, window=window, zone=ZoneInfo("Europe/London")) == (CALL.period,)


def test_a_meeting_changed_is_a_new_meeting_value() -> None:
    assert CALL.cancelled().status is Status.CANCELLED and CALL.status is Status.CONFIRMED
    with pytest.raises(AttributeError):
        CALL.sequence = 5  # type: ignore[misc]
