"""Availability from plain data (a posted form, a JSON column) and back, with a message per field.

The shape, every part optional (what is left out takes its default)::

    {"time_zone": "Europe/London",
     "weekly_hours": {"monday": [{"start": "09:00", "end": "17:00"}], ...},
     "days_off": [{"first": "2027-08-02", "last": "2027-08-06"}],
     "changed_hours": [{"date": "2027-03-27", "hours": [{"start": "10:00", "end": "12:00"}]}],
     "meetings": {"discovery_call": {"length_minutes": 60, "buffer_minutes": 15,
                                     "notice_hours": 48, "ahead_days": 21}}}

Numbers may come as strings of digits, as forms post them. ``parse_availability`` never raises
for bad data: it returns ``Refused`` with each field's dotted path (``weekly_hours.monday.0.end``)
and a message the engineer can act on.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from .availability import (
    DEFAULT_WEEKLY,
    WEEKDAYS,
    Availability,
    ChangedHours,
    DaysOff,
    Hours,
    MeetingKind,
    MeetingRules,
    default_rules,
)
from .form_fields import (
    FieldError,
    FieldErrors,
    NumberField,
    Refused,
    calendar_date,
    clock_time,
    listed,
    whole_number,
)
from .zones import parse_zone

__all__ = [
    "FieldError",
    "Refused",
    "availability_to_plain",
    "parse_availability",
    "rules_to_plain",
]

MAX_HOURS_A_DAY = 6
MAX_DAYS_OFF = 100
MAX_CHANGED_HOURS = 200

#: Each meeting rule's number, with the unit it is entered in.
_RULES = (
    (NumberField("length_minutes", "a length", "minutes", 15, 480, 15), timedelta(minutes=1)),
    (NumberField("buffer_minutes", "a buffer", "minutes", 0, 120, 5), timedelta(minutes=1)),
    (NumberField("notice_hours", "a notice", "hours", 0, 720), timedelta(hours=1)),
    (NumberField("ahead_days", "how many days ahead", "days", 1, 366), timedelta(days=1)),
)


def parse_availability(data: object) -> Availability | Refused:
    """The availability ``data`` describes, or every reason it cannot be saved."""
    errors = FieldErrors()
    if not isinstance(data, dict):
        return Refused((FieldError("availability", "Availability must be a set of fields"),))
    zone = parse_zone(data.get("time_zone"))
    if zone is None:
        errors.add("time_zone", "Enter a time zone from the list, such as Europe/London")
    weekly = _weekly(data["weekly_hours"], errors) if "weekly_hours" in data else DEFAULT_WEEKLY
    days_off = _days_off(data.get("days_off", []), errors)
    changed = _changed(data.get("changed_hours", []), days_off, errors)
    meetings = _meetings(data.get("meetings", {}), errors)
    if errors.found or zone is None:
        return Refused(tuple(errors.found))
    return Availability(zone, weekly, days_off, changed, meetings)


def _weekly(value: object, errors: FieldErrors) -> tuple[tuple[Hours, ...], ...]:
    if not isinstance(value, dict):
        errors.add("weekly_hours", "Enter the working hours for each day of the week")
        return ((),) * len(WEEKDAYS)
    for unknown in sorted(set(map(str, value)) - set(WEEKDAYS)):
        errors.add(f"weekly_hours.{unknown}", f"{unknown[:20]!r} is not a day of the week")
    return tuple(_hours(value.get(day, []), f"weekly_hours.{day}", errors) for day in WEEKDAYS)


def _hours(value: object, field: str, errors: FieldErrors) -> tuple[Hours, ...]:
    found: list[tuple[int, Hours]] = []
    for index, item in enumerate(
        listed(value, field, MAX_HOURS_A_DAY, "stretches of hours a day", errors)
    ):
        hours = _one_stretch(item, f"{field}.{index}", errors)
        if hours is not None:
            found.append((index, hours))
    found.sort(key=lambda pair: pair[1])
    # Each stretch is checked against the one reaching furthest among those before it, so a
    # stretch inside a long one is found even when a short one lies between them.
    furthest: Hours | None = None
    for index, hours in found:
        if furthest is not None and hours.start < furthest.end:
            errors.add(
                f"{field}.{index}",
                f"These hours overlap {_clock(furthest.start)} to {_clock(furthest.end)}: "
                "change one of them",
            )
        if furthest is None or hours.end > furthest.end:
            furthest = hours
    return tuple(hours for _, hours in found)


def _one_stretch(item: object, field: str, errors: FieldErrors) -> Hours | None:
    if not isinstance(item, dict):
        errors.add(field, "Enter a start and an end time")
        return None
    start = clock_time(item.get("start"), f"{field}.start", "a start time", errors)
    end = clock_time(item.get("end"), f"{field}.end", "an end time", errors)
    if start is None or end is None:
        return None
    if end <= start:
        errors.add(f"{field}.end", "The end time must be after the start time")
        return None
    return Hours(start, end)


def _days_off(value: object, errors: FieldErrors) -> tuple[DaysOff, ...]:
    found = []
    for index, item in enumerate(listed(value, "days_off", MAX_DAYS_OFF, "days off", errors)):
        field = f"days_off.{index}"
        item = item if isinstance(item, dict) else {}
        first = calendar_date(item.get("first"), f"{field}.first", "the first day off", errors)
        # A single day off may give only its first day.
        last = (
            calendar_date(item["last"], f"{field}.last", "the last day off", errors)
            if "last" in item
            else first
        )
        if first and last and last < first:
            errors.add(f"{field}.last", "The last day off must be the same as or after the first")
        elif first and last:
            found.append(DaysOff(first, last))
    return tuple(found)


def _changed(
    value: object, days_off: tuple[DaysOff, ...], errors: FieldErrors
) -> tuple[ChangedHours, ...]:
    found: dict[date, ChangedHours] = {}
    items = listed(value, "changed_hours", MAX_CHANGED_HOURS, "changed days", errors)
    for index, item in enumerate(items):
        field = f"changed_hours.{index}"
        item = item if isinstance(item, dict) else {}
        day = calendar_date(item.get("date"), f"{field}.date", "the date", errors)
        hours = _hours(item.get("hours", []), f"{field}.hours", errors)
        if day is None:
            continue
        if day in found:
            errors.add(f"{field}.date", f"{day.isoformat()} already has changed hours: remove one")
        elif any(off.first <= day <= off.last for off in days_off):
            errors.add(f"{field}.date", f"{day.isoformat()} is also a day off: remove one of them")
        else:
            found[day] = ChangedHours(day, hours)
    return tuple(sorted(found.values(), key=lambda change: change.day))


def _meetings(value: object, errors: FieldErrors) -> tuple[MeetingRules, ...]:
    if not isinstance(value, dict):
        errors.add("meetings", "Enter the rules for each kind of meeting")
        return ()
    known = {kind.value for kind in MeetingKind}
    for unknown in sorted(set(map(str, value)) - known):
        errors.add(f"meetings.{unknown}", f"{unknown[:30]!r} is not a kind of meeting")
    return tuple(
        _rules(value.get(kind.value, {}), default_rules(kind), errors) for kind in MeetingKind
    )


def _rules(value: object, default: MeetingRules, errors: FieldErrors) -> MeetingRules:
    field = f"meetings.{default.kind.value}"
    if not isinstance(value, dict):
        errors.add(field, f"Enter the rules for the {default.kind.label}")
        return default
    defaults = rules_to_plain(default)
    spans: dict[str, timedelta | None] = {}
    for number, unit in _RULES:
        entered = value.get(number.key, defaults[number.key])
        parsed = whole_number(entered, f"{field}.{number.key}", number, errors)
        spans[number.key] = None if parsed is None else unit * parsed
    length, buffer, notice, ahead = spans.values()
    if ahead is not None and notice is not None and ahead <= notice:
        errors.add(
            f"{field}.ahead_days",
            "Customers must be able to book further ahead than the notice you need",
        )
    if length is None or buffer is None or notice is None or ahead is None:
        return default  # refused above; the value is never used
    return MeetingRules(default.kind, length, buffer, notice, ahead)


def rules_to_plain(rules: MeetingRules) -> dict[str, int]:
    """One kind's rules as the numbers its form shows."""
    spans = (rules.length, rules.buffer, rules.notice, rules.ahead)
    return {number.key: span // unit for (number, unit), span in zip(_RULES, spans, strict=True)}


def availability_to_plain(availability: Availability) -> dict[str, Any]:
    """The plain data ``parse_availability`` reads back into the same availability."""
    return {
        "time_zone": availability.zone.key,
        "weekly_hours": {
            day: _hours_to_plain(hours)
            for day, hours in zip(WEEKDAYS, availability.weekly, strict=True)
        },
        "days_off": [
            {"first": off.first.isoformat(), "last": off.last.isoformat()}
            for off in availability.days_off
        ],
        "changed_hours": [
            {"date": change.day.isoformat(), "hours": _hours_to_plain(change.hours)}
            for change in availability.changed
        ],
        "meetings": {kind.value: rules_to_plain(availability.rules(kind)) for kind in MeetingKind},
    }


def _hours_to_plain(hours: tuple[Hours, ...]) -> list[dict[str, str]]:
    return [{"start": _clock(stretch.start), "end": _clock(stretch.end)} for stretch in hours]


def _clock(moment: time) -> str:
    return moment.strftime("%H:%M")
