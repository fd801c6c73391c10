"""Invitations (RFC 5545 with the RFC 5546 methods) and the engineers' subscribable feeds.

One ``Meeting`` describes a booking as calendars see it; ``invitation`` turns it into the
``.ics`` attached to the booking's emails (METHOD:REQUEST, or METHOD:CANCEL once cancelled), and
``bookings_feed`` turns an engineer's meetings into a calendar to subscribe to (no METHOD).

The shapes follow what Outlook and Google Calendar accept from other organisers: times in UTC
(no VTIMEZONE to get wrong), one ORGANIZER and one ATTENDEE with ``mailto:`` addresses and
RSVP, a UID that stays the same for the life of the booking, and a SEQUENCE that grows with
every change, so an update or a cancellation replaces the event instead of adding one. The
email that carries an invitation should attach it as ``content_type`` says (Outlook looks for
the ``method`` parameter on the part).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from .periods import Period, utc

__all__ = [
    "CalendarFile",
    "Meeting",
    "Person",
    "Status",
    "booking_uid",
    "bookings_feed",
    "invitation",
]

PRODUCT_ID = "-//Loadbalancer.org//questionnaire bookings//EN"
#: How often a subscribed client should fetch the feed again (clients that honour it).
FEED_REFRESH = timedelta(hours=1)

# Everything below a space but tab, and DEL: a line break in a name must not become a new line
# of the file, whatever the library would do with it.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_ADDRESS = re.compile(r"[^\s\x00-\x1f\x7f<>\"(),;:\\]+@[^\s\x00-\x1f\x7f<>\"(),;:\\@]+")


class Status(StrEnum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Person:
    """Someone a meeting names: shown as ``name``, reached at ``email``."""

    name: str
    email: str

    def __post_init__(self) -> None:
        # Addresses reach here already checked (email-validator); this only keeps a forged one
        # from turning into something other than a mailto: address in the file.
        if not _ADDRESS.fullmatch(self.email):
            raise ValueError(f"not an email address for a calendar: {self.email!r}")


@dataclass(frozen=True)
class Meeting:
    """A booking as calendars see it; ``sequence`` counts its changes, starting at 0."""

    uid: str
    sequence: int
    period: Period
    summary: str
    description: str
    location: str
    organizer: Person
    attendee: Person
    status: Status = Status.CONFIRMED
    url: str | None = None

    def moved_to(self, period: Period) -> Meeting:
        """The same meeting at another time: calendars replace the old one when they see it."""
        return replace(self, period=period, sequence=self.sequence + 1)

    def cancelled(self) -> Meeting:
        return replace(self, status=Status.CANCELLED, sequence=self.sequence + 1)


@dataclass(frozen=True)
class CalendarFile:
    """An ``.ics`` file, with the MIME type an email part carrying it needs."""

    content: bytes
    method: str | None

    @property
    def content_type(self) -> str:
        method = f"; method={self.method}" if self.method else ""
        return f"text/calendar; charset=UTF-8{method}"


def booking_uid(booking_id: int, domain: str) -> str:
    """The UID of a booking's events, the same for every version of it (RFC 5545 3.8.4.7)."""
    return f"booking-{booking_id}@{domain}"


def invitation(meeting: Meeting, *, stamp: datetime) -> CalendarFile:
    """The invitation to send both sides: REQUEST for a booked or moved meeting, CANCEL once
    cancelled. ``stamp`` is when it was made (DTSTAMP), in any zone."""
    method = "CANCEL" if meeting.status is Status.CANCELLED else "REQUEST"
    calendar = _calendar(method=method)
    calendar.add_component(_event(meeting, stamp, invited=True))
    return CalendarFile(calendar.to_ical(), method)


def bookings_feed(meetings: Iterable[Meeting], *, name: str, stamp: datetime) -> CalendarFile:
    """An engineer's meetings as a calendar to subscribe to.

    A published calendar is not an invitation: it has no METHOD and its events name no
    attendees (clients would offer to answer for them); who the meeting is with belongs in the
    summary or description.
    """
    calendar = _calendar(method=None)
    calendar.add("NAME", _one_line(name))
    calendar.add("X-WR-CALNAME", _one_line(name))
    calendar.add("REFRESH-INTERVAL", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(FEED_REFRESH))
    for meeting in meetings:
        calendar.add_component(_event(meeting, stamp, invited=False))
    return CalendarFile(calendar.to_ical(), None)


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODUCT_ID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    return calendar


def _event(meeting: Meeting, stamp: datetime, *, invited: bool) -> Event:
    event = Event()
    event.add("UID", meeting.uid)
    event.add("SEQUENCE", meeting.sequence)
    event.add("DTSTAMP", utc(stamp))
    event.add("LAST-MODIFIED", utc(stamp))
    event.add("DTSTART", meeting.period.start)
    event.add("DTEND", meeting.period.end)
    # Text values go through vText, which escapes commas, semicolons, backslashes and line
    # breaks: a customer's name can add words to a property, never a property.
    event.add("SUMMARY", vText(_one_line(meeting.summary)))
    event.add("DESCRIPTION", vText(meeting.description))
    event.add("LOCATION", vText(_one_line(meeting.location)))
    event.add("STATUS", meeting.status.value)
    event.add("TRANSP", "OPAQUE")
    if meeting.url:
        event.add("URL", meeting.url)
    if invited:
        event.add("ORGANIZER", _address(meeting.organizer))
        attendee = _address(meeting.attendee)
        attendee.params.update(
            {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "TRUE",
            }
        )
        event.add("ATTENDEE", attendee)
    return event


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    # A parameter value cannot hold a double quote or a line break; the library would caret-
    # encode them (RFC 6868), which Outlook shows as written, so a name is made one plain line.
    address.params["CN"] = _one_line(person.name).replace('"', "'")
    return address


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())
