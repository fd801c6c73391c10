"""axe-core on every kind of page the customer meets, and on the engineers' SoW pages
(axe-playwright-python's bundled axe).

A "serious" or "critical" violation fails the test, and so does an id used twice on a page (axe's
duplicate-id rules are off in some versions, so it is checked here too); every violation (minor
ones too) is printed, so ``pytest -s tests/browser/test_accessibility.py`` lists them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from questionnaire.services import accounts, links, mail
from questionnaire.store import db
from questionnaire.store.models import Engagement, Export, OutgoingEmail
from tests.sent_mail import text_as_sent

from . import flows
from .conftest import LiveServer, PageFor
from .helpers import (
    PDF,
    at,
    back,
    choose,
    field,
    fill_text,
    on_page,
    save_and_continue,
    save_for_later,
)
from .test_engineer_browser import EMAIL as ENGINEER
from .test_engineer_browser import PASSWORD, open_sow, sign_in, submitted_engagement, worker_idle

pytestmark = pytest.mark.browser

FAILING_IMPACTS = {"serious", "critical"}
#: The ids that more than one element of the page has.
REPEATED_IDS = """() => {
  const count = new Map();
  for (const element of document.querySelectorAll("[id]")) {
    count.set(element.id, (count.get(element.id) || 0) + 1);
  }
  return [...count].filter(([, n]) => n > 1).map(([id]) => id);
}"""

try:
    from axe_playwright_python.sync_playwright import Axe
except Exception as exc:  # pragma: no cover - only when the package or its axe.min.js is broken
    pytest.skip(f"axe-playwright-python cannot load axe-core: {exc}", allow_module_level=True)


class AxeAudit:
    """Runs axe on pages and collects every violation, by the name of the page."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.found: list[tuple[str, dict[str, Any]]] = []
        self.checked: list[str] = []
        self.repeated_ids: list[tuple[str, list[str]]] = []

    def check(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        self.checked.append(name)
        for violation in results.response["violations"]:
            self.found.append((name, violation))
        repeated = page.evaluate(REPEATED_IDS)
        if repeated:
            self.repeated_ids.append((name, repeated))

    def report(self, impacts: set[str] | None = None) -> str:
        """One entry per violation (of these impacts): page, impact, rule, help, node targets."""
        lines = []
        for name, violation in self.found:
            if impacts is not None and violation["impact"] not in impacts:
                continue
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
            lines.append(
                f"[{violation['impact']}] {name}: {violation['id']} - {violation['help']}"
                f" ({violation['helpUrl']})\n    nodes: {'; '.join(targets)}"
            )
        return "\n".join(lines)


@pytest.fixture
def audit() -> Iterator[AxeAudit]:
    auditor = AxeAudit()
    yield auditor
    print(f"\naxe checked {len(auditor.checked)} pages: {', '.join(auditor.checked)}")
    print(auditor.report() or "no violations")


def _assert_no_serious(audit: AxeAudit) -> None:
    failing = audit.report(FAILING_IMPACTS)
    assert not failing, "serious or critical accessibility violations:\n" + failing
    assert not audit.repeated_ids, f"ids used more than once: {audit.repeated_ids}"


def test_question_pages_have_no_serious_violations(
    page_for: PageFor, customer_url: str, tmp_path: Path, audit: AxeAudit
) -> None:
    page = page_for()
    page.goto(customer_url)
    audit.check(page, "start")
    flows.start(page, customer_url)
    audit.check(page, "text inputs and radios (commercial)")
    flows.commercial(page)

    flows.organisation(page, email=False)
    on_page(page, "organisation")
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check(page, "error summary (organisation)")
    flows.organisation(page)

    audit.check(page, "textarea and checkboxes (project)")
    flows.project(page, "storage")

    hld = tmp_path / "hld.pdf"
    hld.write_bytes(PDF)
    choose(page, "hld_available", "yes")
    expect(field(page, "hld_file")).to_be_visible()
    audit.check(page, "file upload, shown by the preview (design)")
    flows.design(page, hld)
    back(page, "design")
    audit.check(page, "file upload with a file uploaded (design)")
    save_and_continue(page, "network")

    choose(page, "network_fabric", "cisco_aci")
    audit.check(page, "radios with a warning note (network)")
    flows.network_traditional(page)
    flows.appliance_virtual(page)
    flows.addressing(page)
    flows.servers(page)
    flows.remote_access(page)
    flows.change_windows(page, "storage")
    flows.storage(page)
    back(page, "storage")  # two sites counted: one entry each, none added or removed
    expect(page.get_by_role("link", name="Change site 2")).to_be_visible()
    audit.check(page, "counted repeating group (storage sites)")
    save_and_continue(page, "services")

    audit.check(page, "repeating group, empty (services)")
    page.get_by_role("link", name="Add a service").click()
    audit.check(page, "record add page")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "record page with errors")
    page.get_by_role("link", name="Cancel").click()
    on_page(page, "services")
    flows.add_https_service(page, flows.S3)
    flows.add_plain_service(page, flows.DICOM_STORE)
    audit.check(page, "repeating group with records (services)")

    page.get_by_role("link", name="Remove service 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove service 2?"
    )
    audit.check(page, "remove confirmation")
    choose(page, "confirm", "yes")
    page.get_by_role("button", name="Continue").click()
    on_page(page, "services")
    expect(page.locator(".summary-list__row")).to_have_count(1)

    save_and_continue(page, "anything_else")
    fill_text(page, "call_availability", "Weekday mornings")
    save_for_later(page)
    audit.check(page, "saved")
    page.get_by_role("link", name="Carry on now").click()
    at(page, "review")  # nothing is missing any more
    audit.check(page, "review")
    flows.submit(page)
    audit.check(page, "confirmation")
    page.goto(customer_url)
    at(page, "done")
    audit.check(page, "read-only summary")

    _assert_no_serious(audit)


def test_link_error_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    page = page_for()
    unknown = page.goto(f"{live_server.url}/r/{'x' * 43}/")
    assert unknown is not None and unknown.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    audit.check(page, "404 unknown link")

    expired = page.goto(live_server.invite(days=-1))
    assert expired is not None and expired.status == 410
    expect(page.get_by_text("This link has expired")).to_be_visible()
    audit.check(page, "410 expired link")

    _assert_no_serious(audit)


def test_engagement_page_with_the_customers_corrections_has_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    # The link's engagement is "Midshire Imaging"; the answers name another organisation.
    engagement_id = submitted_engagement(live_server, "Midshire Imaging")
    page = page_for()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    expect(page.locator("#corrections")).to_contain_text("The customer changed a detail")
    audit.check(page, "engagement with the customer's corrections")
    worker_idle(live_server)  # its SoW's pre-fill and exports are not left to the next test
    _assert_no_serious(audit)


def test_sow_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    engagement_id = submitted_engagement(live_server, "Southshire Imaging")
    page = page_for()
    sign_in(page, live_server)
    sow_url = open_sow(page, live_server, engagement_id)
    audit.check(page, "SoW, sections folded")
    for summary in page.locator("details > summary").all():
        summary.click()
    audit.check(page, "SoW, sections open")
    page.get_by_role("link", name="Preview").click()
    expect(page.locator(".sow-preview")).to_be_visible()
    audit.check(page, "SoW, preview")

    page.get_by_role("link", name="Revision 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 1")
    audit.check(page, "revision")

    page.goto(sow_url)
    worker_idle(live_server)
    editor = page.get_by_label("Revision 1 (Markdown)")
    editor.fill(editor.input_value().replace("\n", "\nAn added line.\n", 1))
    page.get_by_role("button", name="Save as revision 2").click()
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from revision 1 to 2")
    audit.check(page, "diff")

    # An export nobody has asked for yet: the page that offers to prepare it.
    worker_idle(live_server)
    with live_server.app.app_context():
        db.session().execute(delete(Export).where(Export.format == "html"))
        db.session().commit()
    page.goto(sow_url)
    page.get_by_role("link", name="HTML of revision 2").click()
    expect(page.get_by_role("button", name="Prepare the HTML")).to_be_visible()
    audit.check(page, "export not prepared")

    _assert_no_serious(audit)


def test_sending_the_questionnaire_has_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    live_server.invite(customer="Eastmoor Radiology")  # a link made by hand, not emailed
    with live_server.app.app_context():
        session = db.session()
        accounts.ensure_user(session, ENGINEER, PASSWORD, "Engineer")
        engagement_id = session.scalars(
            select(Engagement.id).where(Engagement.customer == "Eastmoor Radiology")
        ).one()
    page = page_for()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    audit.check(page, "engagement with the send form")
    # The engagement page has a booking form too: the questionnaire's fields by their ids.
    page.locator("#contact_email").fill("not an address")
    page.locator("#expires_days").fill("0")
    page.get_by_role("button", name="Send the questionnaire").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "send form with errors")
    page.locator("#contact_email").fill("jo@eastmoor.example")
    page.locator("#expires_days").fill("14")
    page.get_by_role("button", name="Send the questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire sent")
    audit.check(page, "questionnaire sent")
    page.get_by_role("link", name="Back to the engagement").click()
    expect(page.locator("#questionnaire-sent")).to_contain_text("to jo@eastmoor.example")
    audit.check(page, "engagement after sending, with the reminder switch")
    _assert_no_serious(audit)


def _review_token(live_server: LiveServer, template: str = "sow_sent") -> str:
    """The review link's token, from the email sending a document (the SoW's unless
    ``template`` names another's) the live server's worker queued."""
    worker_idle(live_server)
    with live_server.app.app_context():
        email = (
            db.session()
            .scalars(
                select(OutgoingEmail)
                .where(OutgoingEmail.template == template)
                .order_by(OutgoingEmail.id.desc())
            )
            .first()
        )
        assert email is not None, "the worker did not send the document"
        text = text_as_sent(live_server.app.extensions["services"], email)
        match = re.search(r"/s/([A-Za-z0-9_-]{43})/", text)
        assert match
        return match.group(1)


def test_sow_review_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    """The engineer's send form and the customer's review, changes, accept and accepted pages
    (and the waiting page of a download), with and without errors."""
    engagement_id = submitted_engagement(live_server, "Eastshire Radiology")
    engineer = page_for()
    sign_in(engineer, live_server)
    sow_url = open_sow(engineer, live_server, engagement_id)
    worker_idle(live_server)
    engineer.get_by_role("button", name="Send revision 1 to the customer").click()
    expect(engineer.locator(".error-summary")).to_be_visible()  # no contact on this engagement
    audit.check(engineer, "SoW, send form with errors")
    engineer.get_by_label("Name", exact=True).fill("Jo Customer")
    engineer.get_by_label("Email address").fill("jo@eastshire.example.com")
    engineer.get_by_role("button", name="Send revision 1 to the customer").click()
    expect(engineer.get_by_text("is on its way to jo@eastshire.example.com")).to_be_visible()
    audit.check(engineer, "SoW, sending")
    review_url = f"{live_server.url}/s/{_review_token(live_server)}/"

    customer = page_for()
    customer.goto(review_url)
    expect(customer.get_by_role("heading", level=1)).to_have_text("Statement of Work, revision 1")
    audit.check(customer, "SoW review")
    customer.get_by_role("button", name="Ask for changes").click()
    customer.get_by_role("button", name="Send your comments").click()
    expect(customer.locator(".error-summary")).to_be_focused()
    audit.check(customer, "SoW changes with errors")
    customer.get_by_label("Your comments").fill("Please add the DR site.")
    customer.get_by_role("button", name="Send your comments").click()
    expect(customer.get_by_text("Thank you: we have your comments")).to_be_visible()
    audit.check(customer, "SoW review after changes")
    customer.get_by_role("button", name="Accept this Statement of Work").click()
    customer.get_by_role("button", name="Accept the Statement of Work").click()
    expect(customer.locator(".error-summary")).to_be_focused()
    audit.check(customer, "SoW accept with errors")
    customer.get_by_label("Full name").fill("Jo Customer")
    customer.get_by_label("Job title").fill("Head of IT")
    customer.get_by_label("I may accept this Statement of Work on behalf of").check()
    customer.get_by_role("button", name="Accept the Statement of Work").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Statement of Work accepted")
    audit.check(customer, "SoW accepted")

    worker_idle(live_server)
    with live_server.app.app_context():  # a download the worker has not made
        db.session().execute(delete(Export).where(Export.format == "docx"))
        db.session().commit()
    customer.goto(f"{review_url}sow.docx")
    expect(customer.get_by_role("heading", level=1)).to_have_text(
        "The Word (DOCX) is being prepared"
    )
    audit.check(customer, "SoW download being prepared")
    engineer.goto(sow_url)
    expect(engineer.get_by_text("Revision 1 accepted")).to_be_visible()
    audit.check(engineer, "SoW, accepted")

    _assert_no_serious(audit)


def _booking_token(live_server: LiveServer) -> str:
    """The latest booking link's token, from its email as the customer gets it."""
    context = live_server.app.extensions["services"]
    with live_server.app.app_context():
        email = (
            db.session()
            .scalars(
                select(OutgoingEmail)
                .where(OutgoingEmail.template == "booking_link")
                .order_by(OutgoingEmail.id.desc())
            )
            .first()
        )
        assert email is not None, "no booking link was sent"
        match = re.search(r"/b/([A-Za-z0-9_-]{43})/", mail.sealed_values(context, email)["link"])
        assert match
        return match.group(1)


def test_booking_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    """The engineer's availability page and booking form, and every page of the customer's
    booking, with and without errors (the booking test runs them without JavaScript too)."""
    with live_server.app.app_context():
        session = db.session()
        accounts.ensure_user(session, ENGINEER, PASSWORD, "Engineer")
        found = links.create_engagement(session, "Northmoor Clinics", "test")
        found.contact_name, found.contact_email = "Ash Contact", "ash@northmoor.example"
        session.commit()
        engagement_id = found.id
    engineer = page_for()
    sign_in(engineer, live_server)
    engineer.goto(f"{live_server.url}/e/availability")
    audit.check(engineer, "availability")
    engineer.locator("[id='weekly_hours-monday-0-end']").fill("07:00")
    engineer.get_by_role("button", name="Save availability").click()
    expect(engineer.locator(".error-summary")).to_be_visible()
    audit.check(engineer, "availability with errors")
    engineer.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    audit.check(engineer, "engagement with the booking form")
    form = engineer.locator("#send-booking")
    form.get_by_label("The booking link works for (days)").fill("0")
    form.get_by_role("button", name="Send the booking link").click()
    expect(engineer.locator(".error-summary")).to_be_visible()
    audit.check(engineer, "booking form with errors")
    engineer.get_by_label("The booking link works for (days)").fill("14")
    engineer.get_by_role("button", name="Send the booking link").click()
    expect(engineer.get_by_text("booking link is on its way")).to_be_visible()
    audit.check(engineer, "engagement with a booking link sent")
    base = f"{live_server.url}/b/{_booking_token(live_server)}/"

    # axe runs as a script, so in a browser with JavaScript; in London time, which is the page's
    # default zone, so booking.js leaves the page as the server drew it.
    customer = page_for(timezone_id="Europe/London")
    customer.goto(base)
    expect(customer.get_by_role("heading", level=1)).to_have_text("Book your discovery call")
    expect(customer.get_by_label("Your time zone")).to_have_value("Europe/London")
    audit.check(customer, "booking slots")
    customer.goto(base + "?zone=Nowhere/Atall")
    audit.check(customer, "booking slots, unknown zone")
    customer.goto(base + "?zone=America/New_York")
    customer.get_by_role("button", name="Continue").click()
    expect(customer.locator(".error-summary")).to_be_visible()
    audit.check(customer, "booking slots, no time chosen")
    customer.locator("input[name=slot]").first.check()
    customer.get_by_role("button", name="Continue").click()
    audit.check(customer, "booking confirmation form")
    customer.get_by_label("Your email address").fill("not an address")
    customer.get_by_role("button", name="Confirm the booking").click()
    expect(customer.locator(".error-summary")).to_be_visible()
    audit.check(customer, "booking confirmation with errors")
    customer.get_by_label("Your email address").fill("ash@northmoor.example")
    customer.get_by_role("button", name="Confirm the booking").click()
    expect(customer.locator(".panel__title")).to_have_text("Your discovery call is booked")
    audit.check(customer, "booking booked")
    customer.get_by_role("link", name="Move your discovery call to another time").click()
    audit.check(customer, "booking reschedule")
    customer.goto(base + "cancel")
    audit.check(customer, "booking cancel confirmation")
    scripted = page_for(timezone_id="Asia/Tokyo")
    scripted.goto(base)
    expect(scripted.get_by_role("heading", level=1)).to_have_text("This booking link has been used")
    audit.check(scripted, "booking link used")
    scripted.goto(f"{live_server.url}/b/{links.new_token()}/")
    audit.check(scripted, "booking link unknown")
    _assert_no_serious(audit)
