"""How bookings are put into words: what each kind of meeting is for, and times in a zone.

Pure functions, shared by the emails, the customer's pages, the engagement page and the board.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from questionnaire.scheduling import MeetingKind

K = MeetingKind
TITLES = {
    K.DISCOVERY_CALL: "Discovery call",
    K.IMPLEMENTATION_SESSION: "Implementation session",
    K.VALIDATION_CALL: "Validation call",
}
#: What the meeting is for, as the link's email and the booking page say it ("The call is ...").
PURPOSES = {
    K.DISCOVERY_CALL: (
        "for us to understand your technical requirements and the environment you plan to "
        "deploy in, going through your questionnaire answers, so that we can write the "
        "Statement of Work"
    ),
    K.IMPLEMENTATION_SESSION: (
        "for our engineer to configure the load balancer with you, as agreed in your Statement "
        "of Work; please make sure someone who can reach the appliance and your network is free"
    ),
    K.VALIDATION_CALL: (
        "for us to check the deployment with you after go-live, and agree what is left to test"
    ),
}
#: Where the meeting is: our engineers send the call's details themselves.
LOCATION = "Online (your engineer sends the call details)"


def kind_of(value: str) -> MeetingKind | None:
    try:
        return MeetingKind(value)
    except ValueError:
        return None


def duration(length: timedelta) -> str:
    """``1 hour``, ``90 minutes``, ``4 hours``."""
    minutes = int(length.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def day(moment: datetime) -> str:
    """``Tuesday 4 May 2027``."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def when(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """``Tuesday 4 May 2027, 14:00 to 15:00 (America/New_York)``, on ``zone``'s clock."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    ends = clock(end) if end.date() == start.date() else f"{day(end)} {clock(end)}"
    return f"{day(start)}, {clock(start)} to {ends} ({zone.key})"


def on_card(kind: MeetingKind, start: datetime, zone: ZoneInfo, now: datetime) -> str:
    """``discovery call Tue 4 May 14:00 your time``: the board card's line, on the viewer's
    clock (the date is left out within the coming week, where the weekday says it)."""
    local = start.astimezone(zone)
    within_week = timedelta(0) <= start - now < timedelta(days=6)
    date = f"{local:%a}" if within_week else f"{local:%a} {local.day} {local:%b}"
    return f"{kind.label} {date} {clock(local)} your time"
