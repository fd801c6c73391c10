"""Hypothesis strategies for availabilities, bookings, busy times and moments to ask at."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from questionnaire.scheduling.availability import (
    Availability,
    ChangedHours,
    DaysOff,
    Hours,
    MeetingKind,
    MeetingRules,
)
from questionnaire.scheduling.periods import Period
from questionnaire.scheduling.slots import Booking

#: Zones with changes at 01:00, 02:00 and midnight, half-hour changes, odd offsets and none.
ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Asia/Tokyo",
        "UTC",
    )
]
zones = st.sampled_from(ZONES)
kinds = st.sampled_from(list(MeetingKind))

# Moments around the DST changes of 2027 and between them.
moments = st.datetimes(
    min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[Hours, ...]:
    """Up to three stretches on the quarter hour, not overlapping (they may touch)."""
    quarters = draw(st.lists(st.integers(0, 95), min_size=0, max_size=6, unique=True))
    quarters.sort()
    pairs = zip(quarters[0::2], quarters[1::2], strict=False)
    return tuple(Hours(_quarter(start), _quarter(end)) for start, end in pairs)


def _quarter(index: int) -> time:
    return time(index // 4, index % 4 * 15)


@st.composite
def meeting_rules(draw: st.DrawFn, kind: MeetingKind) -> MeetingRules:
    notice_hours = draw(st.integers(0, 72))
    return MeetingRules(
        kind,
        length=timedelta(minutes=15 * draw(st.integers(1, 16))),
        buffer=timedelta(minutes=5 * draw(st.integers(0, 12))),
        notice=timedelta(hours=notice_hours),
        ahead=timedelta(days=draw(st.integers(notice_hours // 24 + 1, 21))),
    )


@st.composite
def availabilities(draw: st.DrawFn, near: datetime) -> Availability:
    """An availability with exceptions in the weeks after ``near``."""
    zone = draw(zones)
    weekly = tuple(draw(day_hours()) for _ in range(7))
    start = near.date()
    offsets = st.integers(0, 24)
    days_off = []
    for first in draw(st.lists(offsets, max_size=3)):
        days_off.append(
            DaysOff(start + timedelta(first), start + timedelta(first + draw(st.integers(0, 3))))
        )
    changed = []
    for offset in draw(st.lists(offsets, max_size=4, unique=True)):
        day = start + timedelta(offset)
        if not any(off.first <= day <= off.last for off in days_off):
            changed.append(ChangedHours(day, draw(day_hours())))
    meetings = tuple(draw(meeting_rules(kind)) for kind in MeetingKind)
    return Availability(zone, weekly, tuple(days_off), tuple(changed), meetings)


@st.composite
def periods(draw: st.DrawFn, near: datetime, within: timedelta = timedelta(days=24)) -> Period:
    start = near + timedelta(
        minutes=5 * draw(st.integers(-600, int(within / timedelta(minutes=5))))
    )
    return Period(start, start + timedelta(minutes=5 * draw(st.integers(1, 200))))


@st.composite
def bookings(draw: st.DrawFn, near: datetime) -> Booking:
    return Booking(draw(periods(near)), draw(kinds))


def local_dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days) for days in range((last - first).days + 1)]
