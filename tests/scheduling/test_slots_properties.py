"""Slots for random availabilities, bookings, busy times and nows: each rule of the issue holds."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire.scheduling.availability import Availability, Hours, MeetingKind
from questionnaire.scheduling.periods import Period
from questionnaire.scheduling.slots import Booking, FreeSlots, free_slots

from .strategies import availabilities, bookings, kinds, local_dates, moments, periods, zones

NOW = datetime(2027, 3, 20, 10, 0, tzinfo=UTC)  # the strategies' exceptions are drawn near it


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    now = draw(moments)
    return {
        "availability": draw(availabilities(near=now)),
        "kind": draw(kinds),
        "now": now,
        "customer_zone": draw(zones),
        "bookings": draw(st.lists(bookings(near=now), max_size=8)),
        "busy": draw(st.lists(periods(near=now), max_size=8)),
    }


def compute(case: dict[str, object]) -> FreeSlots:
    return free_slots(**case)  # type: ignore[arg-type]


def resolved(day: date, stretch: Hours, zone: ZoneInfo) -> Period | None:
    """A stretch as instants, read as RFC 5545 reads local times (zoneinfo's fold=0)."""
    start = datetime.combine(day, stretch.start, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, stretch.end, tzinfo=zone).astimezone(UTC)
    return Period(start, end) if end > start else None


def stretches_around(availability: Availability, moment: datetime) -> list[tuple[date, Period]]:
    local = moment.astimezone(availability.zone).date()
    found = []
    for day in (local - timedelta(days=1), local, local + timedelta(days=1)):
        for stretch in availability.hours_on(day):
            period = resolved(day, stretch, availability.zone)
            if period is not None:
                found.append((day, period))
    return found


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_every_slot_keeps_every_rule(case: dict[str, object]) -> None:
    availability: Availability = case["availability"]  # type: ignore[assignment]
    kind: MeetingKind = case["kind"]  # type: ignore[assignment]
    now: datetime = case["now"]  # type: ignore[assignment]
    rules = availability.rules(kind)
    found = compute(case)
    for slot in found.slots:
        start, end = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
        assert slot.start.tzinfo is case["customer_zone"]
        assert end - start == rules.length
        assert start >= now + rules.notice, "before the notice"
        assert end <= now + rules.ahead, "beyond the booking horizon"
        # Within one stretch of working hours of the engineer's day, and on its grid.
        homes = [
            (day, home)
            for day, home in stretches_around(availability, start)
            if home.start <= start and end <= home.end
        ]
        assert homes, "outside working hours"
        assert any((start - home.start) % rules.length == timedelta(0) for _, home in homes)
        assert start.astimezone(availability.zone).minute % 15 == 0
        for period in case["busy"]:  # type: ignore[attr-defined]
            assert not slot.period.overlaps(period.widened(rules.buffer)), (
                "on a busy time or its buffer"
            )
        for booking in case["bookings"]:  # type: ignore[attr-defined]
            buffer = max(rules.buffer, availability.rules(booking.kind).buffer)
            assert not slot.period.overlaps(booking.period.widened(buffer)), (
                "on a booking or its buffer"
            )


@SETTINGS
@given(cases())
def test_on_a_day_without_a_change_the_slots_sit_in_the_hours_on_the_clock(
    case: dict[str, object],
) -> None:
    availability: Availability = case["availability"]  # type: ignore[assignment]
    zone = availability.zone
    for slot in compute(case).slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        day = start.date()
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        if midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset() or end.date() != day:
            continue
        assert any(
            stretch.start <= start.time() and end.time() <= stretch.end
            for stretch in availability.hours_on(day)
        )


@SETTINGS
@given(cases())
def test_slots_are_in_order_apart_and_grouped_by_the_customers_day(case: dict[str, object]) -> None:
    found = compute(case)
    slots = found.slots
    for before, after in itertools.pairwise(slots):
        assert before.end <= after.start
    days = [day.day for day in found.days]
    assert days == sorted(set(days))
    for day in found.days:
        assert day.slots
        assert all(slot.start.date() == day.day for slot in day.slots)
    assert all(found.find(slot.key) == slot for slot in slots)


@SETTINGS
@given(cases(), st.data())
def test_more_busy_time_never_frees_a_slot(case: dict[str, object], data: st.DataObject) -> None:
    now: datetime = case["now"]  # type: ignore[assignment]
    before = set(compute(case).slots)
    busier = {**case, "busy": [*case["busy"], data.draw(periods(near=now))]}  # type: ignore[misc]
    booked = {**case, "bookings": [*case["bookings"], data.draw(bookings(near=now))]}  # type: ignore[misc]
    assert set(compute(busier).slots) <= before
    assert set(compute(booked).slots) <= before


@SETTINGS
@given(cases())
def test_slots_are_every_free_start_of_the_grid(case: dict[str, object]) -> None:
    """Sound is not enough (no slots at all would pass): compare with a brute-force search."""
    assert [(slot.start, slot.end) for slot in compute(case).slots] == brute_force(case)


def brute_force(case: dict[str, object]) -> list[tuple[datetime, datetime]]:
    availability: Availability = case["availability"]  # type: ignore[assignment]
    rules = availability.rules(case["kind"])  # type: ignore[arg-type]
    now: datetime = case["now"]  # type: ignore[assignment]
    earliest, latest = now + rules.notice, now + rules.ahead
    zone = availability.zone
    grid = []
    for day in local_dates(
        earliest.astimezone(zone).date() - timedelta(1),
        latest.astimezone(zone).date() + timedelta(1),
    ):
        for stretch in availability.hours_on(day):
            home = resolved(day, stretch, zone)
            if home is None:
                continue
            steps = int(home.length / rules.length)
            grid += [
                Period(home.start + rules.length * n, home.start + rules.length * (n + 1))
                for n in range(steps)
            ]
    chosen: list[Period] = []
    for slot in grid:  # the grid's stretches can overlap only around a skipped hour
        if (
            slot.start >= earliest
            and slot.end <= latest
            and (not chosen or slot.start >= chosen[-1].end)
        ):
            chosen.append(slot)
    customer: ZoneInfo = case["customer_zone"]  # type: ignore[assignment]
    return [
        (slot.start.astimezone(customer), slot.end.astimezone(customer))
        for slot in chosen
        if not any(slot.overlaps(period.widened(rules.buffer)) for period in case["busy"])  # type: ignore[attr-defined]
        and not any(
            slot.overlaps(
                booking.period.widened(max(rules.buffer, availability.rules(booking.kind).buffer))
            )
            for booking in case["bookings"]  # type: ignore[attr-defined]
        )
    ]


def test_a_booking_of_another_kind_keeps_its_own_larger_buffer() -> None:
    from questionnaire.scheduling.availability import default_availability

    availability = default_availability(ZoneInfo("UTC"))  # sessions keep 30 minutes, calls 15
    now = datetime(2027, 3, 1, 8, tzinfo=UTC)
    session = Booking(
        Period(datetime(2027, 3, 8, 9, tzinfo=UTC), datetime(2027, 3, 8, 9, 45, tzinfo=UTC)),
        MeetingKind.IMPLEMENTATION_SESSION,
    )
    call = Booking(session.period, MeetingKind.DISCOVERY_CALL)

    def starts(booking: Booking) -> list[str]:
        found = free_slots(
            availability,
            MeetingKind.VALIDATION_CALL,
            now=now,
            customer_zone=ZoneInfo("UTC"),
            bookings=[booking],
        )
        return [slot.start.strftime("%H:%M") for slot in found.slots if slot.start.day == 8][:3]

    assert starts(call) == ["10:00", "10:30", "11:00"]  # 09:45 + the call's 15 minutes
    assert starts(session) == ["10:30", "11:00", "11:30"]  # 09:45 + the session's 30 minutes
