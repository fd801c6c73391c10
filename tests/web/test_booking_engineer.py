"""The engineers' side of booking: the availability page, sending and revoking a booking link
from the engagement, the booking on the engagement and the board, the private feed."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from questionnaire.store import db
from questionnaire.store.bookings import BookingLink, EngineerCalendar

from .booking_flow import (
    ENGINEER,
    book,
    engagement,
    engineer_client,
    first_slot,
    latest_token,
    linked,
    send_from_page,
)
from .customer import csrf_token, error_summary
from .engineer import log_in


def _availability_form(page: str) -> dict[str, str]:
    """Every field of the availability form as the page shows it (a browser's post)."""
    fields = dict(re.findall(r'<input class="input[^"]*" id="[^"]+" name="([^"]+)" type="text"'
                             r'[^>]*?value="([^"]*)"', page))  # fmt: skip
    zone = re.search(r'<option value="([^"]+)" selected>', page)
    fields["time_zone"] = zone.group(1) if zone else ""
    fields["csrf_token"] = csrf_token(page)
    return {name: unescape(value) for name, value in fields.items()}


def test_the_availability_page_saves_or_names_each_mistake_beside_its_field(app: Flask) -> None:
    client = engineer_client(app)
    page = client.get("/e/availability")
    assert page.status_code == 200 and "These are the defaults" in page.text
    assert 'href="/e/availability"' in page.text  # in the navigation
    form = _availability_form(page.text)
    assert form["weekly_hours.monday.0.start"] == "09:00"
    form.update({"weekly_hours.tuesday.0.end": "07:00", "meetings.discovery_call.ahead_days": "x",
                 "days_off.0.first": "2027-08-02", "feed_url": "ftp://calendar.example/x"})  # fmt: skip
    refused = client.post("/e/availability", data=form)
    assert refused.status_code == 400
    summary = error_summary(refused.text)
    assert [anchor for anchor, _ in summary] == [
        "weekly_hours-tuesday-0-end", "meetings-discovery_call-ahead_days", "feed_url",
    ]  # fmt: skip
    assert 'id="weekly_hours-tuesday-0-end-error"' in refused.text
    assert 'value="ftp://calendar.example/x"' in refused.text  # as typed
    with app.app_context():
        assert db.session().scalars(select(EngineerCalendar)).all() == []
    form.update({"weekly_hours.tuesday.0.end": "17:00", "meetings.discovery_call.ahead_days": "28",
                 "feed_url": "", "time_zone": "Europe/Paris"})  # fmt: skip
    saved = client.post("/e/availability", data=form)
    assert saved.status_code == 303
    shown = client.get("/e/availability").text
    assert "Your availability is saved" in shown and "These are the defaults" not in shown
    assert '<option value="Europe/Paris" selected>' in shown
    assert 'value="2027-08-02"' in shown and 'value="28"' in shown


def test_sending_a_booking_link_from_the_engagement_page(app: Flask) -> None:
    client = engineer_client(app)
    engagement_id = engagement(app)
    page = client.get(f"/e/engagements/{engagement_id}")
    assert 'id="booking"' in page.text and "Send the booking link" in page.text
    refused = send_from_page(client, engagement_id, kind="tea", expires_days="0",
                             contact_email="nobody")  # fmt: skip
    assert refused.status_code == 400  # type: ignore[attr-defined]
    body = refused.text  # type: ignore[attr-defined]
    assert [a for a, _ in error_summary(body)] == [
        "booking_kind", "booking_expires_days", "booking_contact_email",
    ]  # fmt: skip
    assert 'id="booking_contact_email-error"' in body
    assert 'value="nobody"' in body
    sent = send_from_page(client, engagement_id, kind="validation_call")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    after = client.get(sent.location).text  # type: ignore[attr-defined]
    assert (
        "validation call booking link is on its way to Jo Customer (jo@acme.example.com)" in after
    )
    assert "Works until" in after and "Revoke" in after
    with app.app_context():
        link_id = db.session().scalars(select(BookingLink.id)).one()
    revoked = client.post(f"/e/engagements/{engagement_id}/booking/{link_id}/revoke",
                          data={"csrf_token": csrf_token(after)})  # fmt: skip
    assert revoked.status_code == 303
    assert "The booking link no longer works" in client.get(revoked.location).text
    assert app.test_client().get(f"/b/{latest_token(app)}/").status_code == 410


def test_a_booking_shows_on_the_engagement_its_history_and_the_board_card(app: Flask) -> None:
    token = linked(app)
    customer = app.test_client()
    book(customer, token, first_slot(customer, token))
    client = log_in(app, ENGINEER)
    page = unescape(client.get("/e/engagements/1").text)
    assert re.search(r"Discovery call</td><td>\w+day \d+ \w+ \d{4}, \d\d:\d\d to \d\d:\d\d "
                     r"\(Europe/London\)</td><td>Jo Customer \(jo@acme.example.com\)", page)  # fmt: skip
    assert "Used: a meeting was booked" in page
    assert "booking.confirmed" in page and "booking.link_sent" in page
    board = client.get("/e/board").text
    assert re.search(r"<dt class=\"summary-list__key\">Booked</dt><dd class=\"summary-list__value\">"
                     r"discovery call \w{3}( \d+ \w{3})? \d\d:\d\d your time</dd>", board)  # fmt: skip


def test_the_private_feed_is_shown_once_served_as_a_calendar_and_ends_when_revoked(
    app: Flask,
) -> None:
    token = linked(app)
    customer = app.test_client()
    book(customer, token, first_slot(customer, token))
    client = log_in(app, ENGINEER)
    page = client.get("/e/availability")
    made = client.post("/e/availability/private-feed", data={"csrf_token": csrf_token(page.text)})
    assert made.status_code == 200
    url = re.search(r'id="private-feed-url">([^<]+)<', made.text)
    assert url and url.group(1).startswith("https://questionnaire.example.com/calendar/")
    path = url.group(1).removeprefix("https://questionnaire.example.com")
    assert path not in client.get("/e/availability").text  # shown once
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.headers["Cache-Control"] == "no-store"
    [event] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert "Acme Health" in str(event["SUMMARY"])
    page = client.get("/e/availability")
    ended = client.post("/e/availability/private-feed/revoke",
                        data={"csrf_token": csrf_token(page.text)})  # fmt: skip
    assert ended.status_code == 303
    assert app.test_client().get(path).status_code == 404
