"""Issue 11's "Done when", as steps the engagement stretch takes after the SoW is accepted: the
PDR, two implementation sessions (the second booked through a link), functional tests and the
customer handover document, the validation questionnaire, the acceptance document accepted
online, and the close-out (the support handover, Complete, the summary, the signed webhook).

Each person goes on from the email they were sent, as in the first half of the stretch; the
webhook's receiver is a local HTTP server of the test's own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Page, expect

from tests.smtp import SmtpServer

from .mailbox import arrived, attachments, link, wait_for
from .stretch_steps import reload_until

WEBHOOK_SECRET = "a shared secret for the CRM"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Receiver:
    """What the webhook receiver was sent: (headers, body) per call."""

    url: str
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    """A CRM's endpoint on this machine: answers 204 to every POST and keeps what it got."""
    calls: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_port}/hooks/completion", calls)
    finally:
        server.shutdown()
        server.server_close()


def engagement_id_of(page: Page) -> int:
    found = re.search(r"/e/engagements/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def make_the_pdr(page: Page, base: str, engagement_id: int) -> None:
    """The accepted SoW becomes the PDR; the engineer confirms the service with its VIP."""
    page.goto(f"{base}/e/engagements/{engagement_id}/pdr")
    page.get_by_role("button", name="Make the PDR from the accepted SoW").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project Detail Record")
    page.get_by_role(
        "link", name=re.compile(r"^(Confirm or change|Change) virtual service")
    ).first.click()
    page.get_by_label("Virtual IP address (VIP)").fill("10.20.0.50")
    page.get_by_role("button", name="Save the virtual service").click()
    expect(page.get_by_text("10.20.0.50").first).to_be_visible()


def set_availability(page: Page, base: str) -> None:
    """Every day bookable, and implementation sessions at a day's notice."""
    page.goto(f"{base}/e/availability")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your availability")
    for day in ("saturday", "sunday"):
        page.locator(f"[id='weekly_hours-{day}-0-start']").fill("09:00")
        page.locator(f"[id='weekly_hours-{day}-0-end']").fill("17:00")
    page.locator("[id='meetings-implementation_session-notice_hours']").fill("24")
    page.get_by_role("button", name="Save availability").click()
    expect(page.get_by_text("Your availability is saved")).to_be_visible()


def record_session(
    page: Page, base: str, engagement_id: int, engineer: str, *, complete: bool, booked: bool
) -> None:
    page.goto(f"{base}/e/engagements/{engagement_id}/sessions")
    page.get_by_label("Date of the session").fill(date.today().isoformat())
    page.get_by_label("Engineer", exact=True).select_option(label=engineer)
    if booked:
        page.get_by_label("Booked through a booking link (optional)").select_option(index=1)
    page.get_by_label("Days used").fill("1")
    page.get_by_label("What was done").fill(
        "Virtual service built and tested." if complete else "Appliance racked; HA pair set up."
    )
    page.locator("#complete" if complete else "#complete-no").check()
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("cell", name="Yes" if complete else "No").last).to_be_visible()


def send_session_link(page: Page, base: str, engagement_id: int) -> None:
    """After "Complete? no": the sessions page offers the next session's booking link."""
    page.goto(f"{base}/e/engagements/{engagement_id}/sessions")
    page.get_by_role("link", name="Send a booking link for the next session").click()
    page.get_by_label("Implementation session").check()
    page.get_by_role("button", name="Send the booking link").click()
    expect(page.get_by_text("booking link is on its way to")).to_be_visible()


def book_the_session(page: Page, smtp: SmtpServer, customer: str, contact: str) -> None:
    invitation = wait_for(
        smtp, f"Book your implementation session with Loadbalancer.org: {customer}", contact
    )
    page.goto(link(invitation, "Choose a time"))
    page.locator("input[name=slot]").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm the booking").click()
    expect(page.locator(".panel__title")).to_have_text("Your implementation session is booked")


def pass_every_test_and_issue(page: Page, base: str, engagement_id: int) -> None:
    """A passing test for each agreed target (evidence with the first), then the document."""
    page.goto(f"{base}/e/engagements/{engagement_id}/tests")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Functional tests and the customer handover document"
    )
    to_test = page.get_by_role("link", name=re.compile("^Record a test of"))
    targets = to_test.count()
    assert targets >= 1
    passed = page.locator("#checklist + p + dl .summary-list__row", has_text="Passed")
    for done in range(targets):
        to_test.nth(done).click()
        page.get_by_label("What was tested").fill("Opened the service from a client while one "
                                                  "real server was stopped")  # fmt: skip
        page.get_by_label("Expected result").fill("The service keeps answering")
        page.get_by_label("Actual result").fill("It kept answering")
        page.get_by_label("Pass").check()
        page.get_by_label("Date of the test").fill(date.today().isoformat())
        if done == 0:
            page.get_by_label("Evidence (optional)").set_input_files(
                {"name": "failover-test.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
        page.get_by_role("button", name="Record the test").click()
        expect(page.locator(".error-summary")).to_have_count(0)
        expect(passed).to_have_count(done + 1)
    page.get_by_role("button", name="Issue the customer handover document").click()
    expect(page.get_by_text(re.compile("handover document 1", re.I)).first).to_be_visible()


def send_validation(page: Page, base: str, engagement_id: int) -> None:
    page.goto(f"{base}/e/engagements/{engagement_id}")
    form = page.locator("form", has=page.locator("#validation-contact_email"))
    form.get_by_role("button", name="Send the validation questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Validation questionnaire sent")


def answer_validation(page: Page, smtp: SmtpServer, customer: str, contact: str) -> list[str]:
    """The customer confirms each service the PDR lists; their support download goes with it.
    Returns the services' headings as listed."""
    invite = wait_for(smtp, f"Check that your load-balanced services work: {customer}", contact)
    page.goto(link(invite, "Open the questionnaire"))
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your virtual services")
    headings = page.locator(".summary-list__key").all_inner_texts()
    for heading in headings:
        page.get_by_role("link", name=f"Answer the questions about {heading}").click()
        name = heading.split(" — ")[0]
        page.get_by_role("group", name=f"Does {name} work from your clients' side?").get_by_label(
            "Yes"
        ).check()
        page.get_by_label("We did not test it").check()
        page.get_by_role("group", name=f"Is anything missing from {name}?").get_by_label(
            "No"
        ).check()
        page.get_by_role("button", name="Save the answers").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your virtual services")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Who in your team tested the services?").fill("Kim, network manager")
    page.locator("input[type=file]").set_input_files(
        {"name": "support.txt", "mimeType": "text/plain", "buffer": b"lb support download\n"}
    )
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit answers").click()
    return headings


def send_acceptance_document(page: Page, base: str, engagement_id: int) -> None:
    page.goto(f"{base}/e/engagements/{engagement_id}/acceptance-document")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer PS Acceptance Document")
    page.get_by_role("button", name="Generate the document").click()
    expect(page.get_by_role("heading", name="Revision 1", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send revision 1 to the customer").click()
    expect(
        page.get_by_text(re.compile("on its way|being prepared|sent", re.I)).first
    ).to_be_visible()


def accept_the_document(
    page: Page, smtp: SmtpServer, customer: str, contact: tuple[str, str], services: list[str]
) -> None:
    """The customer reads the document (the services and the validation in it) and accepts."""
    sent = wait_for(
        smtp,
        f"Acceptance of our professional services for {customer}: revision 1 for your review",
        contact[1],
    )
    ((media_type, pdf),) = attachments(sent).values()
    assert media_type == "application/pdf" and pdf.startswith(b"%PDF")
    page.goto(link(sent, "Review the acceptance document"))
    for heading in services:
        expect(page.get_by_text(heading.split(" — ")[0]).first).to_be_visible()
    page.get_by_role("button", name="Accept this Customer PS Acceptance Document").click()
    page.get_by_label("Full name").fill(contact[0])
    page.get_by_label("Job title").fill("Head of Infrastructure")
    page.locator("#authorised").check()
    page.get_by_role("button", name="Accept the Customer PS Acceptance Document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer PS Acceptance Document accepted"
    )
    expect(page.locator(".summary-list code")).to_have_text(hashlib.sha256(pdf).hexdigest())


def support_handover_is_made(page: Page, base: str, engagement_id: int) -> None:
    """The worker renders the support handover document; the engineer downloads the PDF."""
    url = f"{base}/e/engagements/{engagement_id}/support-handover.pdf"
    response = page.request.get(url)
    deadline_tries = 300
    while response.headers.get("content-type") != "application/pdf" and deadline_tries:
        page.wait_for_timeout(200)
        response = page.request.get(url)
        deadline_tries -= 1
    assert response.headers.get("content-type") == "application/pdf", response.headers
    assert response.body().startswith(b"%PDF")


def board_shows_complete(page: Page, smtp: SmtpServer, customer: str, sales: str) -> None:
    """Sales follow the completion summary to the board: the card is in Complete."""
    summary = arrived(smtp, f"{customer} is complete: 2 PS days used", sales)
    ((name, (media_type, pdf)),) = attachments(summary).items()
    assert media_type == "application/pdf" and pdf.startswith(b"%PDF"), name
    page.goto(link(summary, "See the engagement on the board"))
    complete = page.locator("section[aria-labelledby='stage-complete']")
    reload_until(
        page, lambda: complete.locator("article.board__card", has_text=customer).count() > 0
    )


def signed_once(receiver: Receiver, engagement_id: int) -> None:
    """One call, signed over timestamp + "." + body with the shared secret."""
    [(headers, body)] = receiver.calls
    timestamp = headers["x-questionnaire-timestamp"]
    expected = hmac.new(WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()  # fmt: skip
    assert headers["x-questionnaire-signature"] == f"sha256={expected}"
    record = json.loads(body)
    assert record["engagement_id"] == engagement_id and record["days"]["used"] == 2
    assert record["tests"]["passed"] == record["tests"]["total"] > 0
