"""Emails with a calendar invitation: kept in the row, sent as Outlook and Google expect it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.scheduling import Meeting, Period, Person, invitation
from questionnaire.services import mail, mail_message
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import OutgoingEmail
from questionnaire.worker import Worker
from tests.smtp import SmtpServer, via

START = datetime(2027, 3, 30, 13, tzinfo=UTC)


def _ics(method: str = "REQUEST") -> mail.CalendarPart:
    meeting = Meeting(
        "booking-1@loadbalancer.org", 0, Period(START, START + timedelta(hours=1)),
        "Discovery call", "Going through your answers", "Online",
        Person("Sam Engineer", "sam@example.com"), Person("Jo Customer", "jo@acme.example.com"),
    )  # fmt: skip
    if method == "CANCEL":
        meeting = meeting.cancelled()
    made = invitation(meeting, stamp=START)
    return mail.CalendarPart(made.content, made.method or "REQUEST")


def _queue(db: Session, context: Context, part: mail.CalendarPart) -> OutgoingEmail:
    email = mail.queue(
        db, context, template="booking_engineer", to=[("Sam", "sam@example.com")], actor="test",
        calendar=part, values={
            "change": "booked", "meeting": "discovery call", "when": "Tuesday", "organisation": "Acme",
            "customer_name": "Jo", "customer_email": "jo@acme.example.com",
            "engineer_name": "Sam", "engagement_id": 1,
        },
    )  # fmt: skip
    db.commit()
    return email


def test_an_invitation_goes_as_a_calendar_alternative_and_an_ics_attachment_once_per_row(
    db: Session, services: Context, database: Database, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    email = _queue(db, context, _ics())
    assert email.attachments[0]["store"] == mail_message.INLINE  # in the row, not a folder
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    message = received.message
    assert message["Message-ID"] == email.message_id
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(part for part in message.iter_parts())
    kinds = [part.get_content_type() for part in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar_part = list(alternative.iter_parts())[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/ics"
    assert attached.get_filename() == "invitation.ics"
    parsed = Calendar.from_ical(attached.get_content())
    assert parsed["METHOD"] == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert event.decoded("DTSTART") == START
    assert Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")[0]["UID"] == event["UID"]


def test_a_cancellation_goes_with_method_cancel(
    db: Session, services: Context, database: Database, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    _queue(db, context, _ics("CANCEL"))
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    alternative = next(part for part in received.message.iter_parts())
    assert list(alternative.iter_parts())[2].get_param("method") == "CANCEL"


def _without_boundaries(message: bytes) -> bytes:
    return re.sub(rb"=+[0-9]+==", b"BOUNDARY", message)


def test_the_outbox_lists_the_invitation_and_every_send_is_the_same_message(
    db: Session, services: Context, database: Database, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    email = _queue(db, context, _ics())
    entry = mail.entry(db, email.id)
    assert [(a["filename"], a["media_type"]) for a in entry.email.attachments] == [
        ("invitation.ics", "text/calendar")
    ]
    first = mail_message.compose(email, []).as_bytes()
    again = db.scalars(select(OutgoingEmail)).one()
    # The same Message-ID, headers and parts: only the random MIME boundaries differ.
    assert _without_boundaries(mail_message.compose(again, []).as_bytes()) == _without_boundaries(
        first
    )


@pytest.mark.parametrize(
    ("part", "why"),
    [
        (mail.CalendarPart(b"BEGIN:VCALENDAR\r\n" + b"X" * 70_000, "REQUEST"), "at most"),
        (mail.CalendarPart(b"BEGIN:VCALENDAR\r\n", "PUBLISH"), "REQUEST or CANCEL"),
        (mail.CalendarPart(b"\xff\xfe", "REQUEST"), "utf-8"),
    ],
)
def test_an_invitation_that_is_not_one_is_refused_before_anything_is_queued(
    db: Session, services: Context, part: mail.CalendarPart, why: str
) -> None:
    with pytest.raises(mail.AttachmentUnavailable, match=why):
        _queue(db, services, part)
    db.rollback()
    assert db.scalars(select(OutgoingEmail)).all() == []
