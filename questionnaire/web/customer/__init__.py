"""The customer's way through a questionnaire, behind a one-time link: ``/r/<token>/...``; the
customer's review of a sent document (the Statement of Work, the Customer PS Acceptance
Document), behind a link of its own: ``/s/<token>/...``;
booking a meeting with an engineer, behind a booking link: ``/b/<token>/...``; and the
engineers' private feeds of their bookings, ``/calendar/<token>.ics``."""

from . import (
    answering,
    booking,
    booking_actions,
    booking_feed,
    finish,
    nested_records,
    records,
    review_actions,
    review_page,
)  # fmt: skip
from .blueprint import bp
from .booking import bp as booking_bp
from .booking_feed import bp as calendar_feed_bp
from .review_page import bp as review_bp

__all__ = [
    "answering", "booking", "booking_actions", "booking_bp", "booking_feed", "bp",
    "calendar_feed_bp", "finish", "nested_records", "records", "review_actions", "review_bp", "review_page",
]  # fmt: skip
