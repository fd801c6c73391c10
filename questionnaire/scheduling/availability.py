"""An engineer's availability: working hours in their own time zone, exceptions, meeting rules.

Everything here is plain, frozen data; ``availability_form`` builds it from what a form or a JSON
column holds, with a message per field, and writes it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_RULES",
    "DEFAULT_WEEKLY",
    "WEEKDAYS",
    "Availability",
    "ChangedHours",
    "DaysOff",
    "Hours",
    "MeetingKind",
    "MeetingRules",
    "default_availability",
    "default_rules",
]

#: Monday first, as ``date.weekday()`` counts them; also the keys of the weekly hours' form.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class MeetingKind(StrEnum):
    """The meetings a customer can book; the value is what forms, links and rows store."""

    DISCOVERY_CALL = "discovery_call"
    IMPLEMENTATION_SESSION = "implementation_session"
    VALIDATION_CALL = "validation_call"

    @property
    def label(self) -> str:
        """As a sentence names it: "your discovery call"."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class MeetingRules:
    """How one kind of meeting is booked with one engineer.

    ``buffer`` is kept free on both sides of the meeting (against other bookings and busy times,
    not against the edges of working hours); ``notice`` is the least time between booking and
    meeting; ``ahead`` is how far from now the whole meeting may lie.
    """

    kind: MeetingKind
    length: timedelta
    buffer: timedelta
    notice: timedelta
    ahead: timedelta

    def __post_init__(self) -> None:
        # Forms are checked with messages (availability_form); this is for code that builds
        # rules directly: a meeting of no length would never let the slot search move on.
        if self.length <= timedelta(0) or self.ahead <= timedelta(0):
            raise ValueError(f"a meeting needs a length and a horizon: {self!r}")
        if self.buffer < timedelta(0) or self.notice < timedelta(0):
            raise ValueError(f"a buffer or notice cannot be negative: {self!r}")


#: The issue's defaults for the discovery call, and ours for the other two:
#:
#: - an implementation session is half a day (PS days are sold in halves), with half an hour
#:   either side to write up and hand over, and five days' notice because the customer usually
#:   needs a change window approved; it is planned further out than a call, so eight weeks;
#: - a validation call is a short check of the deployment after go-live: 30 minutes, a day's
#:   notice so the engineer can look at the system first, up to four weeks ahead.
DEFAULT_RULES: tuple[MeetingRules, ...] = (
    MeetingRules(
        MeetingKind.DISCOVERY_CALL,
        length=timedelta(minutes=60),
        buffer=timedelta(minutes=15),
        notice=timedelta(days=2),
        ahead=timedelta(weeks=3),
    ),
    MeetingRules(
        MeetingKind.IMPLEMENTATION_SESSION,
        length=timedelta(hours=4),
        buffer=timedelta(minutes=30),
        notice=timedelta(days=5),
        ahead=timedelta(weeks=8),
    ),
    MeetingRules(
        MeetingKind.VALIDATION_CALL,
        length=timedelta(minutes=30),
        buffer=timedelta(minutes=15),
        notice=timedelta(days=1),
        ahead=timedelta(weeks=4),
    ),
)


@dataclass(frozen=True, order=True)
class Hours:
    """One stretch of a working day on the engineer's wall clock, ``start`` before ``end``.

    Times are on the quarter hour, so every slot starts on one.
    """

    start: time
    end: time


@dataclass(frozen=True)
class DaysOff:
    """Whole days without working hours, ``first`` to ``last`` included."""

    first: date
    last: date


@dataclass(frozen=True)
class ChangedHours:
    """The hours of one date instead of its weekday's; none makes it a day off."""

    day: date
    hours: tuple[Hours, ...]


@dataclass(frozen=True)
class Availability:
    """When an engineer can be booked.

    ``weekly`` holds seven tuples of hours, Monday first. A date's hours are its changed hours if
    it has some, none if it is in days off, else its weekday's.
    """

    zone: ZoneInfo
    weekly: tuple[tuple[Hours, ...], ...]
    days_off: tuple[DaysOff, ...] = ()
    changed: tuple[ChangedHours, ...] = ()
    meetings: tuple[MeetingRules, ...] = DEFAULT_RULES
    _changed_by_day: dict[date, tuple[Hours, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if len(self.weekly) != len(WEEKDAYS):
            raise ValueError("weekly hours need one entry per weekday, Monday first")
        # One order for everything, so that equal availabilities compare equal and slots can be
        # found in one pass through each day.
        object.__setattr__(self, "weekly", tuple(tuple(sorted(day)) for day in self.weekly))
        object.__setattr__(self, "days_off", tuple(sorted(self.days_off, key=_first_day)))
        changed = (ChangedHours(change.day, tuple(sorted(change.hours))) for change in self.changed)
        object.__setattr__(self, "changed", tuple(sorted(changed, key=_changed_day)))
        by_day = {change.day: change.hours for change in self.changed}
        object.__setattr__(self, "_changed_by_day", by_day)

    def rules(self, kind: MeetingKind) -> MeetingRules:
        """This engineer's rules for ``kind``, or the defaults if they set none."""
        chosen = (rules for rules in self.meetings if rules.kind is kind)
        return next(chosen, None) or default_rules(kind)

    def hours_on(self, day: date) -> tuple[Hours, ...]:
        """The working hours of ``day`` on the engineer's wall clock."""
        if day in self._changed_by_day:
            return self._changed_by_day[day]
        if any(off.first <= day <= off.last for off in self.days_off):
            return ()
        return self.weekly[day.weekday()]

    def days(self, first: date, last: date) -> Iterator[tuple[date, tuple[Hours, ...]]]:
        """Each date from ``first`` to ``last`` with its working hours."""
        day = first
        while day <= last:
            yield day, self.hours_on(day)
            day += timedelta(days=1)


def _first_day(off: DaysOff) -> date:
    return off.first


def _changed_day(change: ChangedHours) -> date:
    return change.day


#: Monday to Friday, 09:00 to 17:00.
DEFAULT_WEEKLY: tuple[tuple[Hours, ...], ...] = ((Hours(time(9), time(17)),),) * 5 + ((), ())


def default_rules(kind: MeetingKind) -> MeetingRules:
    """The rules of ``kind`` for an engineer who has set none."""
    return next(rules for rules in DEFAULT_RULES if rules.kind is kind)


def default_availability(zone: ZoneInfo) -> Availability:
    """The default weekly hours and meeting rules, in ``zone``."""
    return Availability(zone=zone, weekly=DEFAULT_WEEKLY)
