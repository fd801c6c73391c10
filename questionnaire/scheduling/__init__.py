"""Booking: availability, free slots, invitations and calendar feeds. Pure Python: no web, no
database, no files, network or clock (feeds arrive as bytes, "now" as an argument).

- ``availability`` and ``availability_form``: an engineer's hours, exceptions and meeting rules,
  and reading them from a form or a JSON column with a message per field;
- ``slots``: the free slots of one kind of meeting, by the customer's day;
- ``calendar``: invitations (METHOD:REQUEST and CANCEL) and the engineer's subscribable feed;
- ``feed_reader``: the busy periods of an engineer's ``.ics`` feed, within a window and bounds.
"""

from .availability import Availability, MeetingKind, MeetingRules, default_availability
from .availability_form import Refused, availability_to_plain, parse_availability
from .calendar import CalendarFile, Meeting, Person, booking_uid, bookings_feed, invitation
from .feed_reader import FeedError, FeedLimits, busy_periods
from .periods import Period
from .slots import Booking, FreeSlots, Slot, SlotDay, free_slots
from .zones import parse_zone, zone_choices

__all__ = [
    "Availability",
    "Booking",
    "CalendarFile",
    "FeedError",
    "FeedLimits",
    "FreeSlots",
    "Meeting",
    "MeetingKind",
    "MeetingRules",
    "Period",
    "Person",
    "Refused",
    "Slot",
    "SlotDay",
    "availability_to_plain",
    "booking_uid",
    "bookings_feed",
    "busy_periods",
    "default_availability",
    "free_slots",
    "invitation",
    "parse_availability",
    "parse_zone",
    "zone_choices",
]
