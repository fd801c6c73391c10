"""Issue 10's "Done when", in a browser: an engineer in Europe/London sets their availability and
sends a discovery-call link; the customer, in America/New_York, opens it from the email they
received, picks a slot and confirms; both get an invitation whose times agree; the link then
says it has been used.

A live server of the test's own sends its email through a real SMTP server; every link
followed is read from an email that server received. The customer's browser runs in New York
time, so the booking page's script shows New York times on its own.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from questionnaire.services import accounts, booking_links, links, mail
from questionnaire.store import db
from questionnaire.store.models import OutgoingEmail, Role, User
from tests.smtp import Received, SmtpServer

from .conftest import LiveServer, PageFor, serving
from .mailbox import arrived, attachments, link, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "a long password for booking"
ENGINEER = ("Eve Engineer", "eve.engineer@lb.example")
CUSTOMER = "Westmoor Health"
CONTACT = ("Kim Contact", "kim.contact@westmoor.example")
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def test_a_customer_in_new_york_books_a_discovery_call_with_an_engineer_in_london(
    page_for: PageFor, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with serving(tmp_path, **smtp_server.config()) as server:
        engagement_id = _engagement(server)
        engineer = page_for(timezone_id="Europe/London")
        _set_availability(engineer, server)
        _send_link(engineer, server, engagement_id)
        invitation = wait_for(smtp_server, f"Book your discovery call with Loadbalancer.org: "
                                            f"{CUSTOMER}", CONTACT[1])  # fmt: skip
        customer = page_for(timezone_id="America/New_York")
        chosen = _book(customer, link(invitation, "Choose a time"))
        to_customer = arrived(smtp_server, "Booked: your discovery call", CONTACT[1])
        to_engineer = arrived(smtp_server, "Booked: discovery call with", ENGINEER[1])
        theirs, ours = _event(to_customer), _event(to_engineer)
        assert theirs["UID"] == ours["UID"] and theirs["SEQUENCE"] == ours["SEQUENCE"] == 0
        start = theirs.decoded("DTSTART")
        assert start == ours.decoded("DTSTART") and theirs.decoded("DTEND") == ours.decoded("DTEND")
        assert start.astimezone(NEW_YORK).strftime("%H:%M") == chosen[0]
        assert start.astimezone(NEW_YORK).strftime("%A") == chosen[1]
        # Each email words the same instant on its reader's clock.
        assert f"{start.astimezone(NEW_YORK):%H:%M} to" in to_customer.part("text/plain")
        assert f"{start.astimezone(LONDON):%H:%M} to" in to_engineer.part("text/plain")
        customer.goto(link(invitation, "Choose a time"))
        expect(customer.get_by_role("heading", level=1)).to_have_text(
            "This booking link has been used"
        )
        expect(customer.locator("#booked-time")).to_contain_text("(America/New_York)")


def _engagement(server: LiveServer) -> int:
    with server.app.app_context():
        session = db.session()
        accounts.create_user(session, ENGINEER[1], PASSWORD, ENGINEER[0], roles={Role.ENGINEER})
        found = links.create_engagement(session, CUSTOMER, "sales@lb.example")
        found.contact_name, found.contact_email = CONTACT
        session.commit()
        return found.id


def _set_availability(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/e/availability")
    page.get_by_label("Email address").fill(ENGINEER[1])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your availability")
    page.get_by_label("Time zone").select_option("Europe/London")
    for day in ("saturday", "sunday"):  # every day, so that the next days have slots
        page.locator(f"[id='weekly_hours-{day}-0-start']").fill("09:00")
        page.locator(f"[id='weekly_hours-{day}-0-end']").fill("17:00")
    page.locator("[id='meetings-discovery_call-notice_hours']").fill("24")
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_text("Your availability is saved")).to_be_visible()


def _send_link(page: Page, server: LiveServer, engagement_id: int) -> None:
    page.goto(f"{server.url}/e/engagements/{engagement_id}")
    form = page.locator("#send-booking")
    form.get_by_label("Discovery call").check()
    expect(form.get_by_label("Send the booking link to")).to_have_value(CONTACT[1])
    form.get_by_role("button", name="Send the booking link").click()
    expect(page.get_by_text(f"booking link is on its way to {CONTACT[0]}")).to_be_visible()


def _book(page: Page, url: str) -> tuple[str, str]:
    """Open the link, pick the first slot of the first day, confirm; the slot's time and day."""
    page.goto(url)
    expect(page.get_by_label("Your time zone")).to_have_value("America/New_York")  # booking.js
    day = page.locator("fieldset.slot-day").first
    weekday = day.locator("legend").inner_text().split()[0]
    first = day.locator("input[name=slot]").first
    label = page.locator(f"label[for='{first.get_attribute('id')}']").inner_text()
    first.check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your discovery call")
    expect(page.get_by_label("Your name")).to_have_value(CONTACT[0])
    expect(page.get_by_label("Your email address")).to_have_value(CONTACT[1])
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.locator(".panel__title")).to_have_text("Your discovery call is booked")
    return label.split(" to ")[0], weekday


def _event(received: Received) -> Any:
    media_type, content = attachments(received)["invitation.ics"]
    assert media_type == "application/ics"
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert isinstance(event.decoded("DTSTART"), datetime)
    assert re.fullmatch(r"booking-\d+@loadbalancer\.org", str(event["UID"]))
    return event


def test_without_javascript_the_customer_chooses_their_zone_and_books(
    page_for: PageFor, live_server: LiveServer
) -> None:
    """The booking pages work without the script: the zone comes from the list's button."""
    context = live_server.app.extensions["services"]
    with live_server.app.app_context():
        session = db.session()
        user = session.scalar(select(User).where(User.email == "nojs.engineer@lb.example"))
        if user is None:
            accounts.create_user(session, "nojs.engineer@lb.example", PASSWORD, "Noa Engineer",
                                 roles={Role.ENGINEER})  # fmt: skip
        found = links.create_engagement(session, "Eastmoor Health", "sales@lb.example")
        found.contact_name, found.contact_email = CONTACT
        session.commit()
        form = booking_links.SendForm("discovery_call", "14", *CONTACT)
        sent = booking_links.send_booking_link(
            session, context, found.id, form, "nojs.engineer@lb.example"
        )
        email = session.get(OutgoingEmail, sent.email_id)
        assert email is not None
        url = mail.sealed_values(context, email)["link"]
    page = page_for(java_script_enabled=False, timezone_id="Asia/Tokyo")
    page.goto(url)
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/London")  # no script
    page.get_by_label("Your time zone").select_option("America/New_York")
    page.get_by_role("button", name="Show the times").click()
    expect(page).to_have_url(re.compile(r"\?zone=America%2FNew_York$"))
    page.locator("input[name=slot]").nth(2).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#chosen-time")).to_contain_text("(America/New_York)")
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.locator(".panel__title")).to_have_text("Your discovery call is booked")
