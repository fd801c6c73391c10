"""Slots across the 2027 daylight-saving changes of Europe/London and America/New_York.

In 2027 New York springs forward on 14 March and London on 28 March; London falls back on
31 October and New York on 7 November. In the weeks between, the two are four hours apart
instead of five.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from questionnaire.scheduling.availability import (
    Availability,
    ChangedHours,
    Hours,
    MeetingKind,
    MeetingRules,
    default_availability,
)
from questionnaire.scheduling.slots import free_slots

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
HOUR = timedelta(hours=1)


def every_day(zone: ZoneInfo, *hours: Hours, length: timedelta = HOUR) -> Availability:
    """Working the same hours seven days a week, no notice or buffer, six weeks ahead."""
    rules = MeetingRules(
        MeetingKind.DISCOVERY_CALL, length, timedelta(0), timedelta(0), timedelta(weeks=6)
    )
    return Availability(zone, (hours,) * 7, meetings=(rules,))


def clock(availability: Availability, now: datetime, day: date, zone: ZoneInfo) -> list[str]:
    """The slots of the customer's ``day`` as their clock shows them, with the UTC offset."""
    found = free_slots(availability, MeetingKind.DISCOVERY_CALL, now=now, customer_zone=zone)
    return [
        slot.start.strftime("%H:%M%z")
        for found_day in found.days
        if found_day.day == day
        for slot in found_day.slots
    ]


NINE_TO_FIVE = Hours(time(9), time(17))
EARLY_MARCH = datetime(2027, 3, 1, tzinfo=UTC)
EARLY_OCTOBER = datetime(2027, 10, 20, tzinfo=UTC)


def test_london_keeps_nine_to_five_on_its_clock_on_the_day_it_springs_forward() -> None:
    london = every_day(LONDON, NINE_TO_FIVE)
    nine_to_four = [f"{hour:02}:00" for hour in range(9, 17)]
    for day, offset in (
        (date(2027, 3, 27), "+0000"),
        (date(2027, 3, 28), "+0100"),
        (date(2027, 3, 29), "+0100"),
    ):
        assert clock(london, EARLY_MARCH, day, LONDON) == [
            f"{start}{offset}" for start in nine_to_four
        ]


def test_london_keeps_nine_to_five_on_its_clock_on_the_day_it_falls_back() -> None:
    london = every_day(LONDON, NINE_TO_FIVE)
    for day, offset in ((date(2027, 10, 30), "+0100"), (date(2027, 10, 31), "+0000")):
        assert clock(london, EARLY_OCTOBER, day, LONDON) == [
            f"{hour:02}:00{offset}" for hour in range(9, 17)
        ]


def test_a_london_engineer_seen_from_new_york_in_march() -> None:
    london = every_day(LONDON, NINE_TO_FIVE)
    # Both on winter time: five hours apart.
    assert clock(london, EARLY_MARCH, date(2027, 3, 12), NEW_YORK)[0] == "04:00-0500"
    # New York has sprung forward, London not yet: four hours apart, for two weeks.
    assert clock(london, EARLY_MARCH, date(2027, 3, 15), NEW_YORK)[0] == "05:00-0400"
    assert clock(london, EARLY_MARCH, date(2027, 3, 26), NEW_YORK)[0] == "05:00-0400"
    # Both on summer time: five hours apart again.
    assert clock(london, EARLY_MARCH, date(2027, 3, 29), NEW_YORK) == [
        f"{hour:02}:00-0400" for hour in range(4, 12)
    ]


def test_a_london_engineer_seen_from_new_york_in_october_and_november() -> None:
    london = every_day(LONDON, NINE_TO_FIVE)
    assert clock(london, EARLY_OCTOBER, date(2027, 10, 29), NEW_YORK)[0] == "04:00-0400"
    # London has fallen back, New York not yet: four hours apart for a week.
    assert clock(london, EARLY_OCTOBER, date(2027, 11, 1), NEW_YORK)[0] == "05:00-0400"
    assert clock(london, EARLY_OCTOBER, date(2027, 11, 5), NEW_YORK)[0] == "05:00-0400"
    assert clock(london, EARLY_OCTOBER, date(2027, 11, 8), NEW_YORK)[0] == "04:00-0500"


def test_new_york_keeps_nine_to_five_on_its_clock_across_both_changes() -> None:
    new_york = every_day(NEW_YORK, NINE_TO_FIVE)
    for now, day in ((EARLY_MARCH, date(2027, 3, 14)), (EARLY_OCTOBER, date(2027, 11, 7))):
        assert [start[:5] for start in clock(new_york, now, day, NEW_YORK)] == [
            f"{hour:02}:00" for hour in range(9, 17)
        ]


def test_a_skipped_hour_is_read_as_rfc_5545_reads_it() -> None:
    """New York skips 02:00-03:00 on 14 March: a time in the gap means the time an hour later
    (the offset from before the change), so 01:00-04:00 holds two real hours."""
    new_york = every_day(NEW_YORK, Hours(time(1), time(4)))
    assert clock(new_york, EARLY_MARCH, date(2027, 3, 14), NEW_YORK) == ["01:00-0500", "03:00-0400"]
    # Hours that start in the gap start an hour later on the clock: 02:30 is 03:30 EDT.
    half_hours = every_day(NEW_YORK, Hours(time(2, 30), time(4)), length=timedelta(minutes=30))
    assert clock(half_hours, EARLY_MARCH, date(2027, 3, 14), NEW_YORK) == ["03:30-0400"]
    # Hours wholly inside the gap move an hour later with it.
    in_the_gap = every_day(NEW_YORK, Hours(time(2), time(2, 45)), length=timedelta(minutes=15))
    assert clock(in_the_gap, EARLY_MARCH, date(2027, 3, 14), NEW_YORK) == [
        "03:00-0400",
        "03:15-0400",
        "03:30-0400",
    ]


def test_a_repeated_hour_is_worked_twice() -> None:
    """London repeats 01:00-02:00 on 31 October: a time there means its first occurrence, and
    hours that span the repeat last as long as the clock takes to get through them."""
    london = every_day(LONDON, Hours(time(1), time(2)))
    assert clock(london, EARLY_OCTOBER, date(2027, 10, 31), LONDON) == ["01:00+0100", "01:00+0000"]
    new_york = every_day(NEW_YORK, Hours(time(0), time(4)))
    assert clock(new_york, EARLY_OCTOBER, date(2027, 11, 7), NEW_YORK) == [
        "00:00-0400",
        "01:00-0400",
        "01:00-0500",
        "02:00-0500",
        "03:00-0500",
    ]


def test_hours_around_a_skipped_hour_never_give_overlapping_slots() -> None:
    """On London's spring-forward day 00:00-01:45 ends at 02:45 BST (read as RFC 5545 does),
    after 02:00-04:00 begins (01:00 UTC): its slots that overlap the first's are dropped."""
    split = every_day(
        LONDON, Hours(time(0), time(1, 45)), Hours(time(2), time(4)), length=timedelta(minutes=45)
    )
    starts = clock(split, EARLY_MARCH, date(2027, 3, 28), LONDON)
    assert starts == ["00:00+0000", "00:45+0000", "02:45+0100"]


def test_slots_are_grouped_by_the_customers_day_not_the_engineers() -> None:
    tokyo = default_availability(
        TOKYO
    )  # 09:00-17:00 in Tokyo is 20:00-04:00 the day before in New York
    found = free_slots(
        tokyo,
        MeetingKind.DISCOVERY_CALL,
        now=datetime(2027, 6, 1, tzinfo=UTC),
        customer_zone=NEW_YORK,
    )
    first = found.days[0]
    assert first.day == date(2027, 6, 2)  # Thursday 3 June in Tokyo, 09:00 to 11:00
    assert [slot.start.strftime("%a %H:%M") for slot in first.slots] == [
        "Wed 20:00",
        "Wed 21:00",
        "Wed 22:00",
        "Wed 23:00",
    ]
    assert found.days[1].slots[0].start.strftime("%a %d %H:%M") == "Thu 03 00:00"


def test_changed_hours_replace_the_weekdays_and_none_is_a_day_off() -> None:
    base = default_availability(LONDON)
    changed = Availability(
        LONDON,
        base.weekly,
        changed=(
            ChangedHours(date(2027, 3, 16), (Hours(time(14), time(16)),)),
            ChangedHours(date(2027, 3, 17), ()),
        ),
    )
    found = free_slots(changed, MeetingKind.DISCOVERY_CALL, now=EARLY_MARCH, customer_zone=LONDON)
    by_day = {day.day: [slot.start.strftime("%H:%M") for slot in day.slots] for day in found.days}
    assert by_day[date(2027, 3, 16)] == ["14:00", "15:00"]
    assert date(2027, 3, 17) not in by_day
    assert by_day[date(2027, 3, 18)][0] == "09:00"
