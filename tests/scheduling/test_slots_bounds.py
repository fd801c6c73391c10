"""The work of finding slots is bounded by the booking window, counted in steps, not timed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from questionnaire.scheduling.availability import Availability, Hours, MeetingKind, MeetingRules
from questionnaire.scheduling.periods import Period
from questionnaire.scheduling.slots import Booking, free_slots

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 8, tzinfo=UTC)
QUARTER = timedelta(minutes=15)


def around_the_clock(ahead: timedelta) -> Availability:
    """The most candidates a day can have: 00:00-23:45 every day, quarter-hour meetings."""
    rules = MeetingRules(MeetingKind.VALIDATION_CALL, QUARTER, timedelta(0), timedelta(0), ahead)
    return Availability(LONDON, ((Hours(time(0), time(23, 45)),),) * 7, meetings=(rules,))


def test_a_year_ahead_takes_at_most_a_quarter_hour_of_steps_a_day() -> None:
    year = around_the_clock(timedelta(days=366))
    found = free_slots(year, MeetingKind.VALIDATION_CALL, now=NOW, customer_zone=LONDON)
    assert len(found.slots) > 366 * 90
    assert found.steps <= 96 * (366 + 2)


def test_a_year_of_bookings_costs_one_pass_over_them() -> None:
    """Every working hour of a year booked: a step per candidate and per booking, no more."""
    year = around_the_clock(timedelta(days=366))
    hours = [NOW + timedelta(hours=n) for n in range(366 * 24)]
    bookings = [
        Booking(Period(start, start + timedelta(minutes=45)), MeetingKind.VALIDATION_CALL)
        for start in hours
    ]
    found = free_slots(
        year, MeetingKind.VALIDATION_CALL, now=NOW, customer_zone=LONDON, bookings=bookings
    )
    assert {slot.start.minute for slot in found.slots} == {45}  # what the bookings leave free
    assert found.steps <= 96 * (366 + 2) + 3 * len(bookings)


def test_busy_times_outside_the_window_cost_one_look_each() -> None:
    three_weeks = around_the_clock(timedelta(weeks=3))
    empty = free_slots(three_weeks, MeetingKind.VALIDATION_CALL, now=NOW, customer_zone=LONDON)
    looked_at = 0

    def ten_years_of_busy_times() -> Iterator[Period]:
        nonlocal looked_at
        for n in range(10 * 365 * 24):
            looked_at += 1
            start = NOW - timedelta(days=5 * 365) + timedelta(hours=n)
            yield Period(start, start + timedelta(minutes=30))

    found = free_slots(
        three_weeks,
        MeetingKind.VALIDATION_CALL,
        now=NOW,
        customer_zone=LONDON,
        busy=ten_years_of_busy_times(),
    )
    assert looked_at == 10 * 365 * 24  # read once, as a generator can only be
    in_window = 21 * 24 + 1
    assert found.steps <= empty.steps + looked_at + 2 * in_window
    assert 0 < len(found.slots) < len(empty.slots)


@pytest.mark.parametrize(
    ("length", "buffer", "notice", "ahead"),
    [
        (timedelta(0), QUARTER, QUARTER, QUARTER),
        (QUARTER, -QUARTER, QUARTER, QUARTER),
        (QUARTER, QUARTER, QUARTER, timedelta(0)),
    ],
)
def test_rules_that_would_never_end_the_search_cannot_be_made(
    length: timedelta, buffer: timedelta, notice: timedelta, ahead: timedelta
) -> None:
    with pytest.raises(ValueError, match=r"meeting needs|cannot be negative"):
        MeetingRules(MeetingKind.VALIDATION_CALL, length, buffer, notice, ahead)
