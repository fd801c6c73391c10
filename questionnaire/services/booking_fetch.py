"""The worker's fetch of engineers' calendar feeds, on a schedule, never in a customer's request.

Each feed is fetched every ``CALENDAR_FEED_MINUTES`` by a ``calendar.fetch`` job that queues
the next one when it ends (or fails for good), keyed by the feed and the time it is due, so a
feed has one chain of fetches however many times it is queued; a new address is fetched at
once, and a daily ``calendar.sweep`` queues the next fetch of every feed, which starts a chain
again if one ever ended. A fetch reads the busy periods of the window customers can book
(``scheduling.busy_periods``, bounded) and stores them as the feed's last good copy; a fetch
that fails keeps that copy and records why, for the engineer's page.

The fetch itself (:mod:`.booking_http`) takes http and https addresses only, gives up after a
timeout, refuses a body over the size limit before reading it all, and refuses loopback and
private addresses, also as the target of a redirect (unless the setting allows them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire import scheduling
from questionnaire.scheduling import FeedError, FeedLimits, MeetingKind, Period
from questionnaire.store.bookings import CalendarFeed
from questionnaire.store.models import utcnow

from . import jobs
from .booking_calendar import availability_of
from .booking_http import FetchError, fetch
from .booking_settings import BookingSettings
from .context import Context

FETCH_JOB, SWEEP_JOB = "calendar.fetch", "calendar.sweep"
#: Finished fetches are kept this long, to look into a feed's recent history; the feed's row
#: holds its last outcome, and each fetch's dedupe key carries its due time, so none comes back.
FETCH_HISTORY = timedelta(days=7)
#: Busy times are read a day past the furthest any customer can book.
_MARGIN = timedelta(days=1)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def queue_now(db: Session, feed_id: int) -> None:
    """Fetch the feed as soon as a worker is free (a new address); in the caller's transaction."""
    key = f"{FETCH_JOB}:{feed_id}:saved:{utcnow().isoformat()}"
    jobs.enqueue(db, FETCH_JOB, {"feed_id": feed_id}, dedupe_key=key, max_attempts=1)


def _queue_next(db: Session, settings: BookingSettings, feed_id: int, now: datetime) -> None:
    every = timedelta(minutes=settings.feed_minutes)
    due = _EPOCH + ((now - _EPOCH) // every + 1) * every
    jobs.enqueue(
        db, FETCH_JOB, {"feed_id": feed_id}, dedupe_key=f"{FETCH_JOB}:{feed_id}:{due.isoformat()}",
        max_attempts=1, run_after=due,
    )  # fmt: skip


def run_fetch(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Fetch one feed and keep what it says, or why it could not be read."""
    feed = db.get(CalendarFeed, int(payload["feed_id"]), with_for_update=True)
    if feed is None:
        return  # the engineer removed it: the chain ends here
    settings, now = context.settings.booking, utcnow()
    _queue_next(db, settings, feed.id, now)
    availability = availability_of(db, settings, feed.engineer_id)
    furthest = max(availability.rules(kind).ahead for kind in MeetingKind)
    window = Period(now, now + furthest + _MARGIN)
    feed.fetched_at = now
    try:
        data = fetch(feed.url, settings)
        busy = scheduling.busy_periods(
            data, window=window, zone=availability.zone,
            limits=FeedLimits(max_bytes=settings.feed_max_bytes),
        )  # fmt: skip
    except (FetchError, FeedError) as exc:
        feed.last_error = str(exc)[: jobs.ERROR_LIMIT]
        return
    feed.busy = [[_iso(period.start), _iso(period.end)] for period in busy]
    feed.busy_from, feed.busy_until = window.start, window.end
    feed.good_at, feed.last_error = now, None


def fetch_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """The fetch failed in a way it could not report itself (a limit, a crash): say so on the
    engineer's page, keep the last good copy, and try again at the next time."""
    feed = db.get(CalendarFeed, int(payload["feed_id"]))
    if feed is None:
        return
    feed.fetched_at = utcnow()
    feed.last_error = f"The feed could not be read: {message}"[: jobs.ERROR_LIMIT]
    _queue_next(db, context.settings.booking, feed.id, feed.fetched_at)


def run_sweep(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Queue the next fetch of every feed (a chain that ended starts again), and forget the
    fetches that finished a while ago (a feed read every 15 minutes makes 96 a day)."""
    now = utcnow()
    jobs.prune_finished(db, FETCH_JOB, now - FETCH_HISTORY)
    for feed_id in db.scalars(select(CalendarFeed.id)).all():
        _queue_next(db, context.settings.booking, feed_id, now)


def sweep_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """Nothing waits for a sweep: tomorrow's runs again."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
