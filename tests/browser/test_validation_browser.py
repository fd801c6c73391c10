"""The validation questionnaire once in a browser, with axe on every page: the engineer sends
it from the engagement page (the PDR lists two virtual services), the customer answers about
each service (read-only, nothing to add or remove) and submits, and the engineer reads the
answers per service."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import OutgoingEmail
from tests.sent_mail import text_as_sent
from tests.services.validation_support import HEADINGS, PACS, WEB, handed_over, with_pdr

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, _assert_no_serious, audit
from .test_engineer_browser import EMAIL, PASSWORD, sign_in, worker_idle

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


def _engagement_with_pdr(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        session = db.session()
        engagement = handed_over(session)
        with_pdr(session, engagement.id, WEB, PACS)
        accounts.ensure_user(session, EMAIL, PASSWORD, "Engineer")
        return engagement.id


def _emailed_link(live_server: LiveServer) -> str:
    worker_idle(live_server)
    with live_server.app.app_context():
        email = (
            db.session()
            .scalars(select(OutgoingEmail).where(OutgoingEmail.template == "validation_invite"))
            .one()
        )
        text = text_as_sent(live_server.app.extensions["services"], email)
    found = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}/", text)
    assert found, text
    return found.group(0)


def test_the_validation_journey_has_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    engagement_id = _engagement_with_pdr(live_server)
    engineer = page_for()
    sign_in(engineer, live_server)
    engineer.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    audit.check(engineer, "Engagement page with the validation section")
    section = engineer.locator("form", has=engineer.locator("#validation-contact_email"))
    section.get_by_role("button", name="Send the validation questionnaire").click()
    expect(engineer.get_by_role("heading", level=1)).to_have_text("Validation questionnaire sent")
    audit.check(engineer, "Validation questionnaire sent")

    customer = page_for()
    customer.goto(_emailed_link(live_server))
    audit.check(customer, "Validation start page")
    customer.get_by_role("button", name="Start now").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Your virtual services")
    keys = customer.locator(".summary-list__key")
    expect(keys).to_have_text(HEADINGS)
    expect(customer.get_by_role("link", name=re.compile("^Add"))).to_have_count(0)
    expect(customer.get_by_role("link", name=re.compile("^Remove"))).to_have_count(0)
    audit.check(customer, "Validation services page")
    customer.get_by_role("button", name="Save and continue").click()
    expect(customer.locator(".error-summary")).to_be_visible()
    audit.check(customer, "Validation services page with errors")
    for heading in HEADINGS:
        customer.get_by_role("link", name=f"Answer the questions about {heading}").click()
        expect(customer.get_by_role("heading", level=1)).to_have_text(heading)
        if heading == HEADINGS[0]:
            audit.check(customer, "A virtual service's questions")
        name = heading.split(" — ")[0]
        customer.get_by_role(
            "group", name=f"Does {name} work from your clients' side?"
        ).get_by_label("No").check()
        customer.get_by_label("We did not test it").check()
        customer.get_by_role("group", name=f"Is anything missing from {name}?").get_by_label(
            "No"
        ).check()
        # "No" asks what happens: the form comes back with that question, the rest kept.
        customer.get_by_role("button", name="Save the answers").click()
        problem = customer.get_by_label(f"What happens when clients use {name}?")
        if heading == HEADINGS[0]:
            expect(customer.locator(".error-summary")).to_be_visible()
            audit.check(customer, "A virtual service's questions with errors")
        problem.fill("Time-outs at 09:00")
        customer.get_by_role("button", name="Save the answers").click()
        expect(customer.get_by_role("heading", level=1)).to_have_text("Your virtual services")
    customer.get_by_role("button", name="Save and continue").click()
    customer.get_by_label("Who in your team tested the services?").fill(
        "Alex Morgan, network manager"
    )
    audit.check(customer, "Validation overall page")
    customer.get_by_role("button", name="Save and continue").click()
    expect(customer.get_by_text(HEADINGS[1], exact=True)).to_be_visible()
    audit.check(customer, "Validation review")
    customer.get_by_role("button", name="Submit answers").click()
    audit.check(customer, "Validation submitted")

    engineer.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    engineer.get_by_role("link", name="See the validation answers per service").click()
    expect(engineer.get_by_role("heading", name=HEADINGS[0])).to_be_visible()
    expect(engineer.get_by_text("Time-outs at 09:00").first).to_be_visible()
    audit.check(engineer, "Validation answers per service")
    _assert_no_serious(audit)
