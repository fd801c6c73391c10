"""The worker's fetch of an engineer's calendar feed, from a real HTTP server on this host."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import Period
from questionnaire.services import booking_fetch, booking_http
from questionnaire.services.booking_calendar import busy_of
from questionnaire.services.context import Context
from questionnaire.store.bookings import CalendarFeed
from questionnaire.store.db import Database
from questionnaire.store.models import Job, JobStatus, utcnow
from questionnaire.worker import Worker

from .booking_support import engineer

TOMORROW = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0,
                                                           microsecond=0)  # fmt: skip
FEED = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
    f"DTSTAMP:20270101T000000Z\r\nDTSTART:{TOMORROW:%Y%m%dT%H%M%SZ}\r\n"
    f"DTEND:{TOMORROW + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nSUMMARY:Dentist\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


class _Feeds(BaseHTTPRequestHandler):
    served: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        if self.path == "/redirect-file":
            self._answer(302, b"", {"Location": "file:///etc/passwd"})
        elif self.path == "/redirect-feed":
            self._answer(302, b"", {"Location": "/feed.ics"})
        elif self.path == "/huge":
            self._answer(200, b"BEGIN:VCALENDAR", {"Content-Length": str(10**9)}, whole=False)
        elif self.path in self.served:
            self._answer(200, self.served[self.path], {"Content-Type": "text/calendar"})
        else:
            self._answer(404, b"Not Found", {})

    def _answer(self, code: int, body: bytes, headers: dict[str, str], whole: bool = True) -> None:
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feeds() -> Iterator[str]:
    _Feeds.served = {"/feed.ics": FEED, "/login": b"<html>Sign in</html>",
                     "/big.ics": b"BEGIN:VCALENDAR\r\n" + b"X" * 5000}  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _allowing_local(context: Context, **changes: Any) -> Context:
    booking = replace(context.settings.booking, feed_private_addresses=True, **changes)
    return replace(context, settings=replace(context.settings, booking=booking))


def _feed(db: Session, user_id: int, url: str) -> CalendarFeed:
    feed = CalendarFeed(engineer_id=user_id, url=url, added_at=utcnow())
    db.add(feed)
    db.flush()
    booking_fetch.queue_now(db, feed.id)
    db.commit()
    return feed


def _fetched(context: Context, database: Database, db: Session, feed: CalendarFeed) -> CalendarFeed:
    Worker(context, database, isolate=False).run_pending()
    db.rollback()  # see what the worker committed
    found = db.get(CalendarFeed, feed.id, populate_existing=True)
    assert found is not None
    return found


def test_the_worker_keeps_the_feeds_busy_times_and_queues_its_next_fetch(
    db: Session, services: Context, database: Database, feeds: str
) -> None:
    sam = engineer(db)
    context = _allowing_local(services)
    feed = _fetched(context, database, db, _feed(db, sam.id, f"{feeds}/feed.ics"))
    assert feed.last_error is None and feed.good_at is not None
    assert feed.busy == [[TOMORROW.isoformat(), (TOMORROW + timedelta(hours=1)).isoformat()]]
    window = Period(utcnow(), utcnow() + timedelta(days=30))
    assert busy_of(db, sam.id, window) == [Period(TOMORROW, TOMORROW + timedelta(hours=1))]
    waiting = db.scalars(
        select(Job).where(Job.kind == booking_fetch.FETCH_JOB, Job.status == JobStatus.QUEUED)
    ).one()
    minutes = context.settings.booking.feed_minutes
    assert utcnow() < waiting.run_after <= utcnow() + timedelta(minutes=minutes)
    booking_fetch.run_sweep(context, db, {})  # the daily sweep: the same next fetch, not two
    db.commit()
    assert len(db.scalars(select(Job).where(Job.status == JobStatus.QUEUED)).all()) == 1


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.ics", "answered 404"),
        ("/login", "did not return a calendar feed"),
        ("/huge", "larger than 0.001 MB"),
        ("/big.ics", "larger than 0.001 MB"),
        ("/redirect-file", "Redirection to url 'file:///etc/passwd' is not allowed"),
    ],
)
def test_a_feed_that_fails_keeps_the_last_good_copy_and_says_why(
    db: Session, services: Context, database: Database, feeds: str, path: str, message: str
) -> None:
    sam = engineer(db)
    context = _allowing_local(services, feed_max_bytes=1000)
    feed = _fetched(context, database, db, _feed(db, sam.id, f"{feeds}/feed.ics"))
    good = (feed.busy, feed.good_at)
    feed.url = f"{feeds}{path}"
    booking_fetch.queue_now(db, feed.id)
    db.commit()
    feed = _fetched(context, database, db, feed)
    assert feed.last_error is not None and message in feed.last_error
    assert (feed.busy, feed.good_at) == good


def test_a_redirect_to_another_feed_is_followed(
    db: Session, services: Context, database: Database, feeds: str
) -> None:
    sam = engineer(db)
    feed = _fetched(_allowing_local(services), database, db,
                    _feed(db, sam.id, f"{feeds}/redirect-feed"))  # fmt: skip
    assert feed.last_error is None and feed.busy


def test_loopback_and_private_addresses_are_refused_by_default(
    db: Session, services: Context, database: Database, feeds: str
) -> None:
    sam = engineer(db)
    feed = _fetched(services, database, db, _feed(db, sam.id, f"{feeds}/feed.ics"))
    assert feed.last_error is not None and "private network" in feed.last_error
    assert feed.busy is None
    for url in ("http://10.0.0.5/x.ics", "http://[::1]/x.ics", "http://169.254.169.254/latest"):
        with pytest.raises(booking_http.FetchError, match="private network"):
            booking_http.check_address(url, services.settings.booking)
    for url in ("ftp://example.com/x.ics", "file:///etc/passwd", "https:///nohost"):
        with pytest.raises(booking_http.FetchError, match="must start with"):
            booking_http.check_address(url, services.settings.booking)


def test_a_feed_removed_meanwhile_ends_its_chain(
    db: Session, services: Context, database: Database, feeds: str
) -> None:
    sam = engineer(db)
    feed = _feed(db, sam.id, f"{feeds}/feed.ics")
    db.delete(feed)
    db.commit()
    outcomes = Worker(_allowing_local(services), database, isolate=False).run_pending()
    assert [o.ok for o in outcomes] == [True]
    db.rollback()
    assert db.scalars(select(Job).where(Job.status == JobStatus.QUEUED)).all() == []


def test_the_daily_sweep_forgets_fetches_finished_over_a_week_ago_and_nothing_else(
    db: Session, services: Context
) -> None:
    def job(kind: str, status: JobStatus, days_ago: float) -> Job:
        finished = utcnow() - timedelta(days=days_ago)
        return Job(kind=kind, payload={}, status=status, attempts=1, max_attempts=1,
                   run_after=finished, finished_at=finished)  # fmt: skip

    old_done, old_failed = (
        job(booking_fetch.FETCH_JOB, s, 8) for s in (JobStatus.DONE, JobStatus.FAILED)
    )
    recent = job(booking_fetch.FETCH_JOB, JobStatus.DONE, 6)
    other = job("mail.send", JobStatus.DONE, 30)
    db.add_all([old_done, old_failed, recent, other])
    db.commit()
    kept = {recent.id, other.id}
    booking_fetch.run_sweep(services, db, {})
    db.commit()
    assert {j.id for j in db.scalars(select(Job)).all()} == kept
