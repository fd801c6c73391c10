"""Recurrence rules from a feed, bounded before they are expanded.

dateutil walks a rule from its event's first start, one period (a day, a week, a month, a year)
at a time, and checks UNTIL and COUNT only on dates that match the rule: a rule that never
matches (the 30th of February, every day) is walked to the year 9999, seconds of work from one
line of text. So before anything is expanded, each RRULE is

- refused if it repeats more often than daily (no calendar offers that, and walking by the
  hour or minute costs 24 or 1,440 times as much);
- probed: walked over one whole cycle of the calendar (400 years hold a whole number of weeks,
  so every rule repeats with a period of 400 years times its interval at most), started near
  the year 9999 at the same point in its cycle, so the walk also ends there if nothing matches.
  A rule that matches no date adds no occurrences and is dropped;
- given an UNTIL no later than a day after the window, a COUNT becoming the UNTIL of its last
  occurrence found within that bound (the occurrences in the window stay the same).

The days walked, by the probes and from each first start to the window's end, are counted
against a budget (``max_rule_days``); after the window, a walk stops at the rule's next date.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Component, vRecur

__all__ = ["FeedError", "bound_rules"]

_COARSE = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
# Past the window by a day, so that floating and all-day events, placed in the engineer's zone
# later, are never cut short by where UTC puts midnight.
_MARGIN = timedelta(days=1)
#: The Gregorian calendar repeats every 400 years: 146,097 days, which is 20,871 weeks.
_CYCLE_DAYS = 146_097
_LAST_DAY = date(9999, 12, 31)


class FeedError(ValueError):
    """The feed cannot be used; the message says why, for the engineer whose feed it is."""


class _Budget:
    def __init__(self, most: int) -> None:
        self.most = most
        self.spent = 0

    def spend(self, days: int) -> None:
        self.spent += max(0, days)
        if self.spent > self.most:
            raise FeedError(
                "The feed's repeating events take too long to expand: "
                f"more than {self.most:,} days of rules to walk"
            )


def bound_rules(events: list[Component], window_end: datetime, max_rule_days: int) -> None:
    """Bound every RRULE of ``events`` in place, as the module says, or raise ``FeedError``."""
    budget = _Budget(max_rule_days)
    for event in events:
        rules = event.get("RRULE")
        start = getattr(event.get("DTSTART"), "dt", None)
        if rules is None or not isinstance(start, date):
            continue
        kept = []
        for rule in rules if isinstance(rules, list) else [rules]:
            if not isinstance(rule, vRecur):  # the parser keeps what it cannot read as text
                raise FeedError(f"The event {_named(event)} has a repeat rule that cannot be read")
            if _matches_some_date(rule, start, event, budget):
                budget.spend((window_end.date() - _as_date(start)).days)
                _bound(rule, start, _like(start, window_end + _MARGIN))
                kept.append(rule)
        del event["RRULE"]
        for rule in kept:
            event.add("RRULE", rule)


def _matches_some_date(
    rule: vRecur, start: date | datetime, event: Component, budget: _Budget
) -> bool:
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    if frequency not in _COARSE:
        raise FeedError(
            f"The event {_named(event)} repeats more often than daily, which calendars do not offer"
        )
    interval = int((rule.get("INTERVAL") or [1])[0])
    cycle = _cycle_days(frequency, max(1, interval))
    first = _as_datetime(start)
    # Whole cycles keep the date, the weekday, the time and the place in the interval.
    cycles_later = (_LAST_DAY - first.date()).days // cycle - 1
    probe_start = first + timedelta(days=cycle * cycles_later) if cycles_later > 0 else first
    unbounded = vRecur({key: value for key, value in rule.items() if key not in {"COUNT", "UNTIL"}})
    found = next(iter(_walk(unbounded, probe_start)), None)
    budget.spend(((found.date() if found else _LAST_DAY) - probe_start.date()).days)
    return found is not None


def _cycle_days(frequency: str, interval: int) -> int:
    """After how many days the rule's dates repeat: a whole number of 400-year cycles."""
    if frequency == "DAILY":
        return math.lcm(interval, _CYCLE_DAYS)
    if frequency == "WEEKLY":
        return 7 * math.lcm(interval, _CYCLE_DAYS // 7)
    if frequency == "MONTHLY":
        return math.lcm(interval, 400 * 12) // (400 * 12) * _CYCLE_DAYS
    return math.lcm(interval, 400) // 400 * _CYCLE_DAYS


def _bound(rule: vRecur, start: date | datetime, bound: date | datetime) -> None:
    if "COUNT" in rule:
        count = int(rule.pop("COUNT")[0])
        rule["UNTIL"] = [_last_of(rule, start, bound, count) or bound]
    elif "UNTIL" not in rule or _as_utc(rule["UNTIL"][0]) > _as_utc(bound):
        rule["UNTIL"] = [bound]


def _last_of(rule: vRecur, start: date | datetime, bound: date | datetime, count: int) -> Any:
    """The ``count``-th occurrence of ``rule`` if it comes by ``bound``, in the start's form."""
    if count < 1:
        return None
    walked = _walk(rule, _as_datetime(start)).replace(until=_as_datetime(bound))
    last = next(islice(walked, count - 1, None), None)
    if last is None or not isinstance(start, datetime):
        return last.date() if last else None
    return last.astimezone(UTC) if last.tzinfo else last


def _walk(rule: vRecur, start: datetime) -> Any:
    as_text: Callable[[], bytes] = rule.to_ical  # the library leaves this method untyped
    return rrulestr(as_text().decode(), dtstart=start)


def _like(start: date | datetime, end: datetime) -> date | datetime:
    """``end`` in the form RFC 5545 wants an UNTIL in for this start: a date, UTC or floating."""
    if not isinstance(start, datetime):
        return end.date()
    if start.tzinfo is None:
        return end.replace(tzinfo=None)
    return end.astimezone(UTC)


def _as_datetime(moment: date | datetime) -> datetime:
    return moment if isinstance(moment, datetime) else datetime.combine(moment, time(0))


def _as_utc(moment: date | datetime) -> datetime:
    # Only to compare an UNTIL with the bound, which has a day's margin: reading a floating
    # time as UTC is near enough.
    moment = _as_datetime(moment)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _as_date(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _named(event: Component) -> str:
    summary = " ".join(str(event.get("SUMMARY", "")).split())[:60]
    return f"“{summary}”" if summary else "without a title"
