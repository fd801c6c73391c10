"""Busy periods from real-looking Outlook and Google feeds, and feeds that are not usable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from questionnaire.scheduling.feed_reader import FeedError, FeedLimits, busy_periods
from questionnaire.scheduling.feed_rules import bound_rules
from questionnaire.scheduling.periods import Period

from .ical import prop

FEEDS = Path(__file__).parent / "feeds"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
MARCH = Period(datetime(2027, 3, 14, tzinfo=UTC), datetime(2027, 4, 30, tzinfo=UTC))
AUTUMN = Period(datetime(2027, 10, 18, tzinfo=UTC), datetime(2027, 11, 30, tzinfo=UTC))


def local(periods: tuple[Period, ...], zone: tzinfo) -> list[str]:
    return [
        f"{p.start.astimezone(zone):%Y-%m-%d %H:%M%z} {p.end.astimezone(zone):%Y-%m-%d %H:%M%z}"
        for p in periods
    ]


def feed(*events: str, extra: str = "") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@example.com\r\nDTSTAMP:20270101T000000Z\r\n{event.strip()}\r\nEND:VEVENT\r\n"
        for n, event in enumerate(events)
    )
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}{extra}END:VCALENDAR\r\n"
    return text.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode()


def test_an_outlook_export() -> None:
    """Windows zone names, a weekly series across London's change with an exception and a
    moved occurrence, free, tentative and out-of-office events, all-day events."""
    busy = busy_periods((FEEDS / "outlook.ics").read_bytes(), window=MARCH, zone=LONDON)
    assert local(busy, LONDON) == [
        "2027-03-15 10:00+0000 2027-03-15 11:00+0000",  # team sync, winter time
        "2027-03-18 16:00+0000 2027-03-18 17:00+0000",  # tentative counts as busy
        "2027-03-23 14:00+0000 2027-03-23 15:00+0000",  # Monday's sync moved to Tuesday
        "2027-03-26 00:00+0000 2027-03-27 00:00+0000",  # all-day site visit
        "2027-03-29 08:30+0100 2027-03-29 09:00+0100",
        "2027-03-29 10:00+0100 2027-03-29 11:00+0100",  # still 10:00 on the clock after the change
        "2027-04-01 00:00+0100 2027-04-03 00:00+0100",  # two days of leave
        # 5 April is an EXDATE
        "2027-04-12 10:00+0100 2027-04-12 11:00+0100",
        "2027-04-19 10:00+0100 2027-04-19 11:00+0100",
        "2027-04-26 10:00+0100 2027-04-26 11:00+0100",
        # the eighth and last (COUNT=8) is 3 May, after the window
    ]


def test_a_google_export() -> None:
    """X-WR-TIMEZONE, a weekly series with no end across New York's change with an EXDATE, a
    daily series with UNTIL, a UTC event, cancelled and transparent events, all-day events."""
    busy = busy_periods((FEEDS / "google.ics").read_bytes(), window=AUTUMN, zone=NEW_YORK)
    assert local(busy, NEW_YORK) == [
        "2027-10-19 09:30-0400 2027-10-19 10:15-0400",
        "2027-10-26 09:30-0400 2027-10-26 10:15-0400",
        "2027-11-01 16:00-0400 2027-11-01 16:30-0400",
        "2027-11-02 16:00-0400 2027-11-02 16:30-0400",  # the stand-up of 2 November is an EXDATE
        "2027-11-03 11:00-0400 2027-11-03 12:30-0400",  # 15:00 UTC
        "2027-11-03 16:00-0400 2027-11-03 16:30-0400",
        "2027-11-04 16:00-0400 2027-11-04 16:30-0400",  # UNTIL 4 November 21:00 UTC
        "2027-11-09 09:30-0500 2027-11-09 10:15-0500",  # still 09:30 after the change
        "2027-11-16 09:30-0500 2027-11-16 10:15-0500",
        "2027-11-23 09:30-0500 2027-11-23 10:15-0500",
        "2027-11-25 00:00-0500 2027-11-27 00:00-0500",  # Thanksgiving; Veterans Day is free
    ]


def test_periods_are_clipped_to_the_window_and_joined() -> None:
    window = Period(datetime(2027, 3, 26, 12, tzinfo=UTC), datetime(2027, 3, 29, 10, tzinfo=UTC))
    busy = busy_periods((FEEDS / "outlook.ics").read_bytes(), window=window, zone=LONDON)
    assert local(busy, UTC_ZONE) == [
        "2027-03-26 12:00+0000 2027-03-27 00:00+0000",
        "2027-03-29 07:30+0000 2027-03-29 08:00+0000",
        "2027-03-29 09:00+0000 2027-03-29 10:00+0000",
    ]
    overlapping = feed(
        "DTSTART:20270301T090000Z\nDTEND:20270301T100000Z",
        "DTSTART:20270301T093000Z\nDTEND:20270301T110000Z",
    )
    assert local(
        busy_periods(overlapping, window=MARCH.widened(timedelta(days=30)), zone=UTC_ZONE), UTC
    ) == ["2027-03-01 09:00+0000 2027-03-01 11:00+0000"]


def test_floating_times_and_dates_are_read_on_the_engineers_clock() -> None:
    floating = feed("DTSTART:20270316T090000\nDTEND:20270316T100000", "DTSTART;VALUE=DATE:20270317")
    assert local(busy_periods(floating, window=MARCH, zone=NEW_YORK), UTC_ZONE) == [
        "2027-03-16 13:00+0000 2027-03-16 14:00+0000",
        "2027-03-17 04:00+0000 2027-03-18 04:00+0000",  # a date alone lasts the day
    ]


def test_events_that_take_no_time_are_not_busy() -> None:
    moment = feed("DTSTART:20270316T090000Z", "DTSTART:20270316T100000Z\nDTEND:20270316T100000Z")
    assert busy_periods(moment, window=MARCH, zone=UTC_ZONE) == ()


def test_free_busy_periods_count_unless_free() -> None:
    free_busy = (
        "BEGIN:VFREEBUSY\r\nUID:fb@example.com\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART:20270315T000000Z\r\nDTEND:20270322T000000Z\r\n"
        "FREEBUSY;FBTYPE=BUSY:20270315T090000Z/20270315T100000Z,20270316T090000Z/PT30M\r\n"
        "FREEBUSY;FBTYPE=FREE:20270317T090000Z/PT1H\r\n"
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270318T090000Z/PT1H\r\n"
        "END:VFREEBUSY\r\n"
    )
    assert local(busy_periods(feed(extra=free_busy), window=MARCH, zone=UTC_ZONE), UTC) == [
        "2027-03-15 09:00+0000 2027-03-15 10:00+0000",
        "2027-03-16 09:00+0000 2027-03-16 09:30+0000",
        "2027-03-18 09:00+0000 2027-03-18 10:00+0000",
    ]


def test_count_counts_the_rules_occurrences_before_exdates() -> None:
    weekly = feed(
        "DTSTART:20270301T090000Z\nDTEND:20270301T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\nEXDATE:20270308T090000Z"
    )
    assert local(
        busy_periods(weekly, window=MARCH.widened(timedelta(days=30)), zone=UTC_ZONE), UTC
    ) == [
        "2027-03-01 09:00+0000 2027-03-01 10:00+0000",
        "2027-03-15 09:00+0000 2027-03-15 10:00+0000",
    ]


IMPOSSIBLE = (
    "DTSTART:20000101T090000Z\nDTEND:20000101T100000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31;UNTIL=20270401T000000Z",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO;BYSETPOS=2",
        "FREQ=YEARLY;BYWEEKNO=1;BYMONTH=7",
    ],
)
def test_a_rule_that_matches_no_date_is_dropped_after_one_cycle(rule: str) -> None:
    """dateutil would walk it to the year 9999 (seconds for one line of text); the probe walks
    one 400-year cycle of it, near the year 9999, and counts those days against the budget."""
    calendar = Calendar.from_ical(
        feed(f"DTSTART:20000101T090000Z\nDTEND:20000101T100000Z\nRRULE:{rule}")
    )
    events = calendar.walk("VEVENT")
    with pytest.raises(FeedError, match="more than 100 days of rules to walk"):
        bound_rules(events, MARCH.end, max_rule_days=100)
    bound_rules(events, MARCH.end, max_rule_days=2 * 146_097 * 3)
    assert "RRULE" not in events[0]


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;UNTIL=99991231T000000Z",
        "FREQ=DAILY;COUNT=100000",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    ],
)
def test_every_rule_that_matches_stops_a_day_after_the_window(rule: str) -> None:
    calendar = Calendar.from_ical(
        feed(f"DTSTART:20000101T090000Z\nDTEND:20000101T100000Z\nRRULE:{rule}")
    )
    events = calendar.walk("VEVENT")
    bound_rules(events, MARCH.end, max_rule_days=100_000)
    bounded = prop(events[0], "RRULE")
    assert "COUNT" not in bounded
    assert bounded["UNTIL"][0] <= MARCH.end + timedelta(days=1)


def test_a_rule_that_never_matches_is_not_busy_and_one_that_never_ends_is() -> None:
    never = feed(
        "DTSTART:20000101T090000Z\nDTEND:20000101T100000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
    )
    assert busy_periods(never, window=MARCH, zone=UTC_ZONE) == ()
    saturdays = feed(
        "DTSTART:20000101T090000Z\nDTEND:20000101T100000Z\nRRULE:FREQ=WEEKLY;UNTIL=99991231T000000Z"
    )
    busy = busy_periods(saturdays, window=MARCH, zone=UTC_ZONE)
    assert [period.start.strftime("%a %d %b %H:%M") for period in busy] == [
        "Sat 20 Mar 09:00",
        "Sat 27 Mar 09:00",
        "Sat 03 Apr 09:00",
        "Sat 10 Apr 09:00",
        "Sat 17 Apr 09:00",
        "Sat 24 Apr 09:00",
    ]


def test_a_rule_that_ends_before_the_window_keeps_its_end() -> None:
    calendar = Calendar.from_ical(
        feed(
            "DTSTART:20270301T090000Z\nDTEND:20270301T100000Z\nRRULE:FREQ=DAILY;UNTIL=20270303T090000Z"
        )
    )
    bound_rules(calendar.walk("VEVENT"), MARCH.end, max_rule_days=100_000)
    assert prop(calendar.walk("VEVENT")[0], "RRULE")["UNTIL"] == [
        datetime(2027, 3, 3, 9, tzinfo=UTC)
    ]


@pytest.mark.parametrize(
    ("content", "limits", "message"),
    [
        (
            b"<!DOCTYPE html><html><body>Sign in to Outlook</body></html>",
            FeedLimits(),
            "The address did not return a calendar feed (an .ics file)",
        ),
        (b"", FeedLimits(), "The address did not return a calendar feed (an .ics file)"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270301T090000Z\r\n",
            FeedLimits(),
            "The feed was cut short: it does not end with END:VCALENDAR",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR",
            FeedLimits(),
            "The feed is not valid iCalendar: it holds no whole calendar",
        ),
        (
            b"BEGIN:VCALENDAR\r\nnot a content line\r\nEND:VCALENDAR",
            FeedLimits(),
            "The feed is not valid iCalendar: Content line could not be parsed",
        ),
        (
            feed("DTSTART:not a date\nDTEND:20270301T090000Z"),
            FeedLimits(),
            "An event in the feed cannot be read",
        ),
        (
            (FEEDS / "outlook.ics").read_bytes(),
            FeedLimits(max_bytes=1000),
            "The feed is larger than 0.001 MB",
        ),
        (
            (FEEDS / "google.ics").read_bytes(),
            FeedLimits(max_events=3),
            "The feed has more than 3 events",
        ),
        (
            feed("DTSTART:20270301T090000Z\nDTEND:20270301T100000Z\nRRULE:FREQ=DAILY"),
            FeedLimits(max_occurrences=10),
            "The feed has more than 10 events in the weeks customers can book",
        ),
        (
            feed(
                "SUMMARY:Ping\nDTSTART:20270301T090000Z\nDTEND:20270301T091000Z\nRRULE:FREQ=MINUTELY;INTERVAL=15"
            ),
            FeedLimits(),
            "The event “Ping” repeats more often than daily, which calendars do not offer",
        ),
        (
            feed("DTSTART:19000101T090000Z\nDTEND:19000101T100000Z\nRRULE:FREQ=DAILY"),
            FeedLimits(max_rule_days=40_000),
            "The feed's repeating events take too long to expand: more than 40,000 days of rules to walk",
        ),
        (
            feed("DTSTART:20270301T090000Z\nDTEND:20270301T100000Z\nRRULE:FREQ=SOMETIMES"),
            FeedLimits(),
            "The event without a title has a repeat rule that cannot be read",
        ),
        (
            feed("SUMMARY:1:1\nDTSTART:20270301T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX"),
            FeedLimits(),
            "The event “1:1” has a repeat rule that cannot be read",
        ),
    ],
)
def test_an_unusable_feed_says_why(content: bytes, limits: FeedLimits, message: str) -> None:
    with pytest.raises(FeedError) as refused:
        busy_periods(content, window=MARCH, zone=LONDON, limits=limits)
    assert message in str(refused.value)


LINES = [line for line in (FEEDS / "google.ics").read_bytes().split(b"\r\n") if line]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES) | st.binary(max_size=40), max_size=40), st.booleans())
def test_any_bytes_give_busy_periods_or_a_feed_error(lines: list[bytes], wrapped: bool) -> None:
    content = b"\r\n".join([b"BEGIN:VCALENDAR", *lines, b"END:VCALENDAR"] if wrapped else lines)
    try:
        busy = busy_periods(content, window=AUTUMN, zone=NEW_YORK)
    except FeedError as error:
        assert str(error)
    else:
        assert all(AUTUMN.start <= period.start < period.end <= AUTUMN.end for period in busy)
