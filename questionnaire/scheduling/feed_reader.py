"""Busy periods from the bytes of an engineer's calendar feed (``.ics``), within a window.

Busy means: a VEVENT that is not TRANSPARENT, not CANCELLED and not marked free by Outlook
(``X-MICROSOFT-CDO-BUSYSTATUS:FREE``), and the busy parts of a VFREEBUSY. All-day events and
times without a zone are read on the engineer's clock. Recurring events are expanded within the
window only, with their exceptions (EXDATE) and moved occurrences (RECURRENCE-ID), by
``recurring-ical-events``.

A feed comes from outside, so the work is bounded before anything is expanded: its size, how
many events it holds, how many occurrences fall in the window, and how many days of recurrence
rules have to be walked (``rules.bound_rules``). A feed that is not iCalendar, or is over a
bound, raises ``FeedError`` with a message for the engineer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Component

from .feed_rules import FeedError, bound_rules
from .periods import Period, merged, utc

__all__ = ["FeedError", "FeedLimits", "busy_periods"]

_FREE = {"TRANSPARENT"}
_NOT_HAPPENING = {"CANCELLED"}
_OUTLOOK_FREE = {"FREE"}


@dataclass(frozen=True)
class FeedLimits:
    """The most a feed may make us do; a real work calendar is far below each."""

    max_bytes: int = 10_000_000
    max_events: int = 20_000
    max_occurrences: int = 20_000
    #: Days from each recurring event's first start to the window's end, summed: what walking
    #: the rules costs (about a microsecond a day), whatever the rule.
    max_rule_days: int = 3_000_000


def busy_periods(
    feed: bytes, *, window: Period, zone: ZoneInfo, limits: FeedLimits | None = None
) -> tuple[Period, ...]:
    """The busy periods of ``feed`` that touch ``window``, clipped to it, sorted and joined.

    ``zone`` is the engineer's: it places all-day events and times without a zone.
    """
    limits = limits or FeedLimits()
    calendars = _parse(feed, limits)
    try:
        periods = _read(calendars, window, zone, limits)
    except FeedError:
        raise
    except Exception as error:
        # The libraries read untrusted text leniently and fail late, on the first property
        # touched that they could not parse, with errors of many types: each one means this
        # feed cannot be read, which is the engineer's to fix, never a crash of the worker.
        raise FeedError(f"An event in the feed cannot be read: {_short(error)}") from error
    return tuple(
        Period(max(period.start, window.start), min(period.end, window.end))
        for period in merged(periods)
        if period.overlaps(window)
    )


def _read(
    calendars: list[Calendar], window: Period, zone: ZoneInfo, limits: FeedLimits
) -> list[Period]:
    events = [event for calendar in calendars for event in calendar.walk("VEVENT")]
    free_busy = [entry for calendar in calendars for entry in calendar.walk("VFREEBUSY")]
    if len(events) + len(free_busy) > limits.max_events:
        raise FeedError(f"The feed has more than {limits.max_events:,} events")
    bound_rules(events, window.end, limits.max_rule_days)
    return [*_event_periods(calendars, window, zone, limits), *_free_busy(free_busy, zone)]


def _parse(feed: bytes, limits: FeedLimits) -> list[Calendar]:
    if len(feed) > limits.max_bytes:
        raise FeedError(f"The feed is larger than {limits.max_bytes / 1_000_000:g} MB")
    # An address that answers with a sign-in page or an error is the usual failure: say so
    # rather than report a parser's complaint about HTML.
    text = feed.strip(b"\xef\xbb\xbf \t\r\n").upper()
    if not text.startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("The address did not return a calendar feed (an .ics file)")
    # The parser reads a cut-off feed without complaint, which would lose its last events.
    if not text.endswith(b"END:VCALENDAR"):
        raise FeedError("The feed was cut short: it does not end with END:VCALENDAR")
    try:
        calendars = Calendar.from_ical(feed, multiple=True)
    except Exception as error:  # the parser's errors are not one type; all mean "not iCalendar"
        raise FeedError(f"The feed is not valid iCalendar: {_short(error)}") from error
    if not calendars:  # what is left of components that never end
        raise FeedError("The feed is not valid iCalendar: it holds no whole calendar")
    return list(calendars)


def _event_periods(
    calendars: list[Calendar], window: Period, zone: ZoneInfo, limits: FeedLimits
) -> Iterator[Period]:
    count = 0
    for calendar in calendars:
        for series in _series(calendar):
            for occurrence in _occurrences(series, window):
                count += 1
                if count > limits.max_occurrences:
                    raise FeedError(
                        f"The feed has more than {limits.max_occurrences:,} events in the "
                        "weeks customers can book"
                    )
                period = _busy(occurrence, zone)
                if period is not None:
                    yield period


def _series(calendar: Calendar) -> list[Any]:
    return list(recurring_ical_events.of(calendar).series)


def _occurrences(series: Any, window: Period) -> Iterator[Any]:
    return iter(series.between(window.start, window.end))


def _busy(occurrence: Any, zone: ZoneInfo) -> Period | None:
    component: Component = occurrence.as_component(False)
    if str(component.get("TRANSP", "OPAQUE")).upper() in _FREE:
        return None
    if str(component.get("STATUS", "CONFIRMED")).upper() in _NOT_HAPPENING:
        return None
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY")).upper() in _OUTLOOK_FREE:
        return None
    start, end = _placed(occurrence.start, zone), _placed(occurrence.end, zone)
    # An event with no length (a reminder at a moment) takes no time.
    return Period(start, end) if end > start else None


def _free_busy(entries: list[Component], zone: ZoneInfo) -> Iterator[Period]:
    for entry in entries:
        values = entry.get("FREEBUSY", [])
        # The library gives one vPeriod per period, each with its line's parameters.
        for value in values if isinstance(values, list) else [values]:
            if str(value.params.get("FBTYPE", "BUSY")).upper() == "FREE":
                continue
            first, last_or_length = value.dt
            start = _placed(first, zone)
            end = (
                _placed(last_or_length, zone)
                if isinstance(last_or_length, date)
                else start + last_or_length
            )
            if end > start:
                yield Period(start, end)


def _placed(moment: date | datetime, zone: ZoneInfo) -> datetime:
    """An aware instant: a date is its midnight and a floating time its reading, in ``zone``."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return utc(moment)


def _short(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
