"""An engineer's own availability page: their hours, days off, meeting rules and time zone, the
address of their calendar feed, and their private feed of bookings (the use cases behind it).

Saving checks every field with ``scheduling.parse_availability`` (a message per field, nothing
saved while any is wrong) and stores what it read back as plain data, so the stored form is
always one the parser accepts. A new feed address is fetched by the worker at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire import scheduling
from questionnaire.scheduling import MeetingKind, Refused, availability_to_plain, zone_choices
from questionnaire.store.bookings import CalendarFeed, EngineerCalendar
from questionnaire.store.models import utcnow

from . import audit, booking_fetch, links
from .booking_availability_form import FormRows, plain_to_fields, posted_to_plain, rows_posted
from .booking_calendar import availability_of
from .booking_words import TITLES
from .context import Context

MAX_URL = 2000
FEED_FIELD = "feed_url"


@dataclass(frozen=True)
class FeedState:
    """The engineer's calendar feed as the worker last found it."""

    url: str
    fetched_at: datetime | None
    good_at: datetime | None
    last_error: str | None
    busy_count: int


@dataclass(frozen=True)
class AvailabilityPage:
    values: Mapping[str, str]
    rows: FormRows
    zones: tuple[str, ...]
    kinds: list[tuple[str, str]]
    feed: FeedState | None
    private_feed_since: datetime | None
    saved: bool  # False until the engineer saves: the page shows the defaults
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def error_list(self) -> list[tuple[str, str]]:
        return list(self.errors.items())


class InvalidAvailability(ValueError):
    """Nothing was saved: ``errors`` maps each form field to its message, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def availability_page(
    db: Session, context: Context, user_id: int, typed: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> AvailabilityPage:  # fmt: skip
    """The page, with the saved values (or ``typed``, as posted, with their ``errors``)."""
    calendar = db.get(EngineerCalendar, user_id)
    plain = availability_to_plain(availability_of(db, context.settings.booking, user_id))
    values, rows = plain_to_fields(plain)
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.engineer_id == user_id))
    values[FEED_FIELD] = feed.url if feed else ""
    if typed is not None:
        values, rows = {k: str(v) for k, v in typed.items()}, rows_posted(typed)
    return AvailabilityPage(
        values=values, rows=rows, zones=zone_choices(),
        kinds=[(kind.value, TITLES[kind]) for kind in MeetingKind], feed=_feed_state(feed),
        private_feed_since=calendar.feed_issued_at if calendar and calendar.feed_token_hash else None,
        saved=calendar is not None and calendar.availability is not None, errors=errors or {},
    )  # fmt: skip


def _feed_state(feed: CalendarFeed | None) -> FeedState | None:
    if feed is None:
        return None
    return FeedState(feed.url, feed.fetched_at, feed.good_at, feed.last_error, len(feed.busy or []))


def save_availability(
    db: Session, context: Context, user_id: int, posted: Mapping[str, str], actor: str
) -> None:
    """Save what the form posted; commits. :class:`InvalidAvailability` if any field is wrong."""
    plain, renames = posted_to_plain(posted)
    parsed = scheduling.parse_availability(plain)
    errors: dict[str, str] = {}
    if isinstance(parsed, Refused):
        for error in parsed.errors:
            errors.setdefault(renames.field_of(error), error.message)
    feed_url = _feed_url(str(posted.get(FEED_FIELD, "")), errors)
    if errors:
        raise InvalidAvailability(errors)
    assert not isinstance(parsed, Refused)
    calendar = _calendar(db, user_id)
    calendar.availability = availability_to_plain(parsed)
    calendar.updated_at = utcnow()
    _save_feed(db, user_id, feed_url, actor)
    audit.record(db, actor, "booking.availability", zone=parsed.zone.key)
    db.commit()


def _feed_url(typed: str, errors: dict[str, str]) -> str | None:
    """The feed's address as it will be fetched (``webcal:`` is https), or None for none."""
    url = typed.strip()
    if not url:
        return None
    if url.lower().startswith("webcal://"):  # what Outlook and Google offer to subscribe to
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url) if len(url) <= MAX_URL and url.isprintable() else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        errors[FEED_FIELD] = (
            "Enter the calendar's address as it starts: https://, http:// or webcal:// "
            f"({MAX_URL:,} characters at most)"
        )
        return None
    return url


def _calendar(db: Session, user_id: int) -> EngineerCalendar:
    found = db.get(EngineerCalendar, user_id, with_for_update=True)
    if found is None:
        found = EngineerCalendar(user_id=user_id, updated_at=utcnow())
        db.add(found)
    return found


def _save_feed(db: Session, user_id: int, url: str | None, actor: str) -> None:
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.engineer_id == user_id))
    if url is None:
        if feed is not None:
            db.delete(feed)
            audit.record(db, actor, "booking.feed_removed")
        return
    if feed is not None and feed.url == url:
        return
    if feed is None:
        feed = CalendarFeed(engineer_id=user_id, url=url, added_at=utcnow())
        db.add(feed)
    else:  # another calendar: what was read from the old one no longer applies
        feed.url, feed.busy, feed.busy_from, feed.busy_until = url, None, None, None
        feed.fetched_at = feed.good_at = feed.last_error = None
    db.flush()
    booking_fetch.queue_now(db, feed.id)
    audit.record(db, actor, "booking.feed_added")


# -- the engineer's private feed of their bookings ----------------------------------------------


def calendar_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


def issue_private_feed(db: Session, context: Context, user_id: int, actor: str) -> str:
    """A new address of the engineer's feed (shown once: only its hash is kept); the old one
    stops working. Commits."""
    calendar = _calendar(db, user_id)
    token = links.new_token()
    calendar.feed_token_hash, calendar.feed_issued_at = links.token_hash(token), utcnow()
    audit.record(db, actor, "booking.private_feed_issued")
    db.commit()
    return calendar_url(context.settings.base_url, token)


def revoke_private_feed(db: Session, user_id: int, actor: str) -> bool:
    """End the engineer's feed address; whether there was one. Commits."""
    calendar = db.get(EngineerCalendar, user_id, with_for_update=True)
    if calendar is None or calendar.feed_token_hash is None:
        db.rollback()
        return False
    calendar.feed_token_hash = calendar.feed_issued_at = None
    audit.record(db, actor, "booking.private_feed_revoked")
    db.commit()
    return True
