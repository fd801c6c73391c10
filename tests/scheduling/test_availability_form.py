"""Availability from plain data: good data round-trips, bad data gets a message per field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.scheduling.availability import (
    DEFAULT_WEEKLY,
    Availability,
    Hours,
    MeetingKind,
    default_availability,
)
from questionnaire.scheduling.availability_form import (
    Refused,
    availability_to_plain,
    parse_availability,
)
from questionnaire.scheduling.slots import free_slots
from questionnaire.scheduling.zones import parse_zone, zone_choices

from .strategies import availabilities, moments

LONDON = ZoneInfo("Europe/London")
FORM: dict[str, Any] = {
    "time_zone": "Europe/London",
    "weekly_hours": {
        "monday": [{"start": "09:00", "end": "12:30"}, {"start": "13:30", "end": "17:00"}],
        "friday": [{"start": "9:00", "end": "13:00"}],
    },
    "days_off": [{"first": "2027-08-02", "last": "2027-08-06"}, {"first": "2027-12-27"}],
    "changed_hours": [{"date": "2027-03-27", "hours": [{"start": "10:00", "end": "12:00"}]}],
    "meetings": {
        "discovery_call": {
            "length_minutes": "90",
            "buffer_minutes": 10,
            "notice_hours": "24",
            "ahead_days": 14,
        }
    },
}


def refusal(data: object) -> dict[str, str]:
    result = parse_availability(data)
    assert isinstance(result, Refused), result
    return {error.field: error.message for error in result.errors}


def with_(path: str, value: object) -> dict[str, Any]:
    """FORM with the value at a dotted path replaced."""
    import copy

    data = copy.deepcopy(FORM)
    *parents, last = path.split(".")
    place: Any = data
    for key in parents:
        place = place[int(key)] if isinstance(place, list) else place[key]
    if isinstance(place, list):
        place[int(last)] = value
    else:
        place[last] = value
    return data


def test_a_form_becomes_an_availability() -> None:
    availability = parse_availability(FORM)
    assert isinstance(availability, Availability)
    assert availability.zone.key == "Europe/London"
    assert availability.weekly[0] == (Hours(time(9), time(12, 30)), Hours(time(13, 30), time(17)))
    assert availability.weekly[4] == (Hours(time(9), time(13)),)
    assert availability.weekly[1] == ()  # a weekday left out has no hours
    assert availability.hours_on(date(2027, 8, 4)) == ()
    assert availability.hours_on(date(2027, 12, 27)) == ()  # a single day off: first alone
    assert availability.hours_on(date(2027, 3, 27)) == (Hours(time(10), time(12)),)
    call = availability.rules(MeetingKind.DISCOVERY_CALL)
    assert (call.length, call.buffer, call.notice, call.ahead) == (
        timedelta(minutes=90),
        timedelta(minutes=10),
        timedelta(hours=24),
        timedelta(days=14),
    )
    # Kinds left out keep their defaults.
    assert availability.rules(MeetingKind.VALIDATION_CALL) == default_availability(
        availability.zone
    ).rules(MeetingKind.VALIDATION_CALL)


def test_hours_and_exceptions_are_kept_in_one_order_however_they_are_given() -> None:
    morning, afternoon = Hours(time(9), time(12)), Hours(time(13), time(17))
    given = Availability(LONDON, ((afternoon, morning),) + ((),) * 6)
    assert given.weekly[0] == (morning, afternoon)
    assert given == Availability(LONDON, ((morning, afternoon),) + ((),) * 6)
    monday = datetime(2027, 3, 8, tzinfo=UTC)
    found = free_slots(
        given, MeetingKind.VALIDATION_CALL, now=monday - timedelta(days=1), customer_zone=LONDON
    )
    assert [slot.start.hour for slot in found.days[0].slots] == [
        9,
        9,
        10,
        10,
        11,
        11,
        13,
        13,
        14,
        14,
        15,
        15,
        16,
        16,
    ]


def test_nothing_but_a_zone_gives_the_defaults() -> None:
    availability = parse_availability({"time_zone": "America/New_York"})
    assert availability == default_availability(parse_zone("America/New_York"))  # type: ignore[arg-type]
    assert isinstance(availability, Availability) and availability.weekly == DEFAULT_WEEKLY
    call = availability.rules(MeetingKind.DISCOVERY_CALL)
    assert (call.length, call.notice, call.ahead) == (
        timedelta(minutes=60),
        timedelta(days=2),
        timedelta(weeks=3),
    )


@settings(max_examples=200, deadline=None)
@given(moments.flatmap(lambda now: availabilities(near=now)))
def test_what_is_written_reads_back_the_same(availability: Availability) -> None:
    assert parse_availability(availability_to_plain(availability)) == availability


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            "time_zone",
            "Mars/Olympus_Mons",
            "time_zone",
            "Enter a time zone from the list, such as Europe/London",
        ),
        (
            "time_zone",
            "../../etc/passwd",
            "time_zone",
            "Enter a time zone from the list, such as Europe/London",
        ),
        ("time_zone", None, "time_zone", "Enter a time zone from the list, such as Europe/London"),
        (
            "weekly_hours.monday.0",
            {"start": "17:00", "end": "09:00"},
            "weekly_hours.monday.0.end",
            "The end time must be after the start time",
        ),
        (
            "weekly_hours.monday.0",
            {"start": "09:00", "end": "09:00"},
            "weekly_hours.monday.0.end",
            "The end time must be after the start time",
        ),
        (
            "weekly_hours.monday.1",
            {"start": "12:00", "end": "14:00"},
            "weekly_hours.monday.1",
            "These hours overlap 09:00 to 12:30: change one of them",
        ),
        (
            "weekly_hours.monday.0",
            {"start": "9am", "end": "17:00"},
            "weekly_hours.monday.0.start",
            "Enter a start time in the 24-hour format, such as 09:00",
        ),
        (
            "weekly_hours.monday.0",
            {"start": "09:00", "end": "24:00"},
            "weekly_hours.monday.0.end",
            "Enter an end time in the 24-hour format, such as 09:00",
        ),
        (
            "weekly_hours.monday.0",
            {"start": "09:10", "end": "12:00"},
            "weekly_hours.monday.0.start",
            "Enter a start time on the quarter hour, such as 09:15",
        ),
        (
            "weekly_hours.monday.0",
            {"start": "\x0009:00", "end": "12:00"},
            "weekly_hours.monday.0.start",
            "Enter a start time in the 24-hour format, such as 09:00",
        ),
        (
            "weekly_hours.monday.0",
            "09:00-12:00",
            "weekly_hours.monday.0",
            "Enter a start and an end time",
        ),
        ("weekly_hours.funday", [], "weekly_hours.funday", "'funday' is not a day of the week"),
        (
            "weekly_hours.monday",
            [{"start": "09:00", "end": "09:15"}] * 7,
            "weekly_hours.monday",
            "Enter no more than 6 stretches of hours a day",
        ),
        (
            "days_off.0",
            {"first": "2027-08-06", "last": "2027-08-02"},
            "days_off.0.last",
            "The last day off must be the same as or after the first",
        ),
        (
            "days_off.0",
            {"first": "2027-02-30"},
            "days_off.0.first",
            "Enter the first day off as a real date, such as 2027-03-29",
        ),
        (
            "days_off.0",
            {"first": "02/08/2027"},
            "days_off.0.first",
            "Enter the first day off in the format 2027-03-29",
        ),
        (
            "changed_hours.0.date",
            "2027-08-03",
            "changed_hours.0.date",
            "2027-08-03 is also a day off: remove one of them",
        ),
        (
            "meetings.discovery_call.length_minutes",
            "10",
            "meetings.discovery_call.length_minutes",
            "Enter a length between 15 and 480 minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            500,
            "meetings.discovery_call.length_minutes",
            "Enter a length between 15 and 480 minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            "50",
            "meetings.discovery_call.length_minutes",
            "Enter a length in steps of 15 minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            "",
            "meetings.discovery_call.length_minutes",
            "Enter a length as a whole number of minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            "٦٠",
            "meetings.discovery_call.length_minutes",
            "Enter a length as a whole number of minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            True,
            "meetings.discovery_call.length_minutes",
            "Enter a length as a whole number of minutes",
        ),
        (
            "meetings.discovery_call.length_minutes",
            60.5,
            "meetings.discovery_call.length_minutes",
            "Enter a length as a whole number of minutes",
        ),
        (
            "meetings.discovery_call.buffer_minutes",
            "121",
            "meetings.discovery_call.buffer_minutes",
            "Enter a buffer between 0 and 120 minutes",
        ),
        (
            "meetings.discovery_call.notice_hours",
            "721",
            "meetings.discovery_call.notice_hours",
            "Enter a notice between 0 and 720 hours",
        ),
        (
            "meetings.discovery_call.ahead_days",
            "0",
            "meetings.discovery_call.ahead_days",
            "Enter how many days ahead between 1 and 366 days",
        ),
        (
            "meetings.discovery_call.ahead_days",
            "1",
            "meetings.discovery_call.ahead_days",
            "Customers must be able to book further ahead than the notice you need",
        ),
        ("meetings.coffee", {}, "meetings.coffee", "'coffee' is not a kind of meeting"),
    ],
)
def test_each_bad_field_gets_its_own_message(
    path: str, value: object, field: str, message: str
) -> None:
    assert refusal(with_(path, value)) == {field: message}


def test_every_problem_is_reported_at_once() -> None:
    data = with_("time_zone", "Nowhere")
    data["days_off"] = [{"first": "soon"}]
    data["changed_hours"] = [{"date": "2027-03-27"}, {"date": "2027-03-27"}]
    assert refusal(data) == {
        "time_zone": "Enter a time zone from the list, such as Europe/London",
        "days_off.0.first": "Enter the first day off in the format 2027-03-29",
        "changed_hours.1.date": "2027-03-27 already has changed hours: remove one",
    }


def test_a_stretch_inside_a_long_one_overlaps_even_past_a_short_one() -> None:
    day = [
        {"start": "09:00", "end": "17:00"},
        {"start": "10:00", "end": "11:00"},
        {"start": "12:00", "end": "13:00"},
    ]
    assert refusal(with_("weekly_hours.monday", day)) == {
        "weekly_hours.monday.1": "These hours overlap 09:00 to 17:00: change one of them",
        "weekly_hours.monday.2": "These hours overlap 09:00 to 17:00: change one of them",
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
keys = st.sampled_from(
    [
        "time_zone",
        "weekly_hours",
        "days_off",
        "changed_hours",
        "meetings",
        "monday",
        "start",
        "end",
        "first",
        "last",
        "date",
        "hours",
        "discovery_call",
        "length_minutes",
        "ahead_days",
    ]
)
plausible = st.recursive(
    st.none()
    | st.integers(-5, 1000)
    | st.sampled_from(["09:00", "17:00", "2027-03-01", "Europe/London", "", "x", "60"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(json_values | plausible)
def test_any_plain_data_gives_an_availability_or_messages_never_an_exception(data: object) -> None:
    result = parse_availability(data)
    if isinstance(result, Refused):
        assert result.errors and all(error.message for error in result.errors)


def test_zones_are_looked_up_by_name_only() -> None:
    assert parse_zone(" Europe/London ") is not None
    assert parse_zone("europe/london") is None
    assert parse_zone("Europe/London\x00") is None
    assert parse_zone(42) is None
    choices = zone_choices()
    assert choices[0] == "UTC" and "America/New_York" in choices and "Asia/Kathmandu" in choices
    assert not [name for name in choices if name.startswith(("Etc/", "US/"))]
