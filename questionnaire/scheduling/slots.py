"""Free slots for one kind of meeting with one engineer: a pure function of its inputs.

How a slot is found:

- Each date's working hours are read on the engineer's wall clock, in their zone, and turned
  into instants the way RFC 5545 (section 3.3.5) reads a local time, which is also how the
  calendars that receive our invitations read them: a time that a spring-forward skips is read
  with the offset from before the change (01:30 on the day London skips 01:00-02:00 is 02:30
  BST), and a time that a fall-back repeats is its first occurrence (zoneinfo's ``fold=0``). So
  09:00-17:00 stays 09:00-17:00 on the clock on the change days, and hours that touch a change
  lose or gain the hour the clock does.
- Slots start at the beginning of each stretch of hours and follow each other by the meeting's
  length (hours are on the quarter hour and lengths whole quarters, so every slot starts on a
  quarter hour of the engineer's clock), and end within the stretch. Lengths are real time.
- A slot is free when it starts no earlier than ``now`` plus the notice, ends no later than
  ``now`` plus how far ahead customers may book, and keeps the meeting's buffer clear on both
  sides of every busy period; against one of our own bookings the larger of the two meetings'
  buffers is kept, so each meeting has its own buffer around it.
- Slots are grouped by their start's date in the customer's zone.

The work is bounded by the booking window: at most 96 candidate starts a day (one per quarter
hour) for at most 367 days, plus one pass over the busy periods that touch the window.
``FreeSlots.steps`` counts it, so tests and the bench check the bound without timing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .availability import Availability, MeetingKind, MeetingRules
from .periods import Period, merged, utc

__all__ = ["Booking", "FreeSlots", "Slot", "SlotDay", "free_slots"]


@dataclass(frozen=True)
class Booking:
    """A meeting already booked with the engineer in this product."""

    period: Period
    kind: MeetingKind


@dataclass(frozen=True)
class Slot:
    """A free time for the meeting; ``start`` and ``end`` are in the customer's zone."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The start in UTC, as a form posts it back: ``2027-03-30T13:00:00Z``."""
        return utc(self.start).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)


@dataclass(frozen=True)
class SlotDay:
    """The free slots that start on one date of the customer's calendar."""

    day: date
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class FreeSlots:
    """The free slots by customer's day, and how many steps it took to find them."""

    days: tuple[SlotDay, ...]
    steps: int

    def find(self, key: str) -> Slot | None:
        """The free slot whose ``key`` is ``key``: what a posted choice must still match."""
        return next((slot for day in self.days for slot in day.slots if slot.key == key), None)

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(slot for day in self.days for slot in day.slots)


def free_slots(
    availability: Availability,
    kind: MeetingKind,
    *,
    now: datetime,
    customer_zone: ZoneInfo,
    bookings: Iterable[Booking] = (),
    busy: Iterable[Period] = (),
) -> FreeSlots:
    """Every free slot for a ``kind`` meeting, from now plus the notice to the booking horizon.

    ``bookings`` are the engineer's meetings in this product, ``busy`` the busy times of their
    calendar feed; both are read once, in any order.
    """
    rules = availability.rules(kind)
    window = Period(utc(now) + rules.notice, utc(now) + rules.ahead)
    blocked, steps = _blocked(availability, rules, window, bookings, busy)
    found: list[Slot] = []
    ahead = 0
    for candidate in _candidates(availability, rules.length, window):
        steps += 1
        while ahead < len(blocked) and blocked[ahead].end <= candidate.start:
            ahead += 1
            steps += 1
        if ahead == len(blocked) or not blocked[ahead].overlaps(candidate):
            found.append(
                Slot(
                    candidate.start.astimezone(customer_zone),
                    candidate.end.astimezone(customer_zone),
                )
            )
    return FreeSlots(_by_day(found), steps)


def _blocked(
    availability: Availability,
    rules: MeetingRules,
    window: Period,
    bookings: Iterable[Booking],
    busy: Iterable[Period],
) -> tuple[list[Period], int]:
    """The busy periods widened by the buffers, sorted and joined, that can touch the window."""
    widest = max(availability.rules(other).buffer for other in MeetingKind)
    reach = window.widened(widest)
    widened: list[Period] = []
    seen = 0
    for booking in bookings:
        seen += 1
        if booking.period.overlaps(reach):
            buffer = max(rules.buffer, availability.rules(booking.kind).buffer)
            widened.append(booking.period.widened(buffer))
    for period in busy:
        seen += 1
        if period.overlaps(reach):
            widened.append(period.widened(rules.buffer))
    joined = merged(widened)
    return joined, seen + len(joined)


def _candidates(availability: Availability, length: timedelta, window: Period) -> Iterator[Period]:
    """Meeting-long periods within working hours and the window, in order, none overlapping."""
    zone = availability.zone
    first, last = window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
    previous_end = window.start
    for day, hours in availability.days(first, last):
        for stretch in hours:
            start = _instant(day, stretch.start, zone)
            end = _instant(day, stretch.end, zone)
            while start + length <= end:
                # Hours around a skipped hour can resolve out of order (RFC 5545 reads 01:45 on
                # London's spring-forward day as 02:45 BST, after 02:00 BST): never overlap.
                if start >= previous_end and start + length <= window.end:
                    yield Period(start, start + length)
                    previous_end = start + length
                start += length


def _instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The instant the engineer's clock shows ``wall`` on ``day``, read as RFC 5545 reads it."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _by_day(slots: list[Slot]) -> tuple[SlotDay, ...]:
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.start.date(), []).append(slot)
    return tuple(SlotDay(day, tuple(found)) for day, found in days.items())
