"""Issues 9's and 11's "Done when": one engagement from the sales handover to Complete, in a
browser.

Each person has a browser of their own (sales, the services lead, the engineer, the customer),
against a live server of the test's own whose worker sends its email through a real SMTP
server and its completion webhook to a local receiver. Everyone moves on from the emails they
get: every link followed is read from an email the SMTP server received. Nothing is read from or
written to the database between making the accounts and the customer's acceptance of the
acceptance document; the last step (``delivery_retention``) sets up a second, held engagement and
runs the purge with the clock moved on. Up to the accepted SoW, every email the stretch causes
arrived once; the rest is ``delivery_steps``.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import Role
from tests.smtp import SmtpServer

from . import delivery_retention as retention
from . import delivery_steps as delivery
from . import flows
from .conftest import LiveServer, PageFor, serving
from .helpers import choose, field, save_and_continue
from .mailbox import arrived, attachments, link, subjects_by_recipient, wait_for
from .stretch_steps import PASSWORD, answer_the_shortest_path, finished, reload_until, sign_in

pytestmark = pytest.mark.browser

SALES = ("Sam Sales", "sam.sales@lb.example")
LEAD = ("Lee Lead", "lee.lead@lb.example")
ENGINEER = ("Eve Engineer", "eve.engineer@lb.example")
SERVICES_TEAM = "services-team@lb.example"  # the lead reads this mailbox
FINANCE = "finance@lb.example"
CUSTOMER = "Southshire Health"
PROJECT = "Exchange resilience"
CONTACT = ("Kim Contact", "kim.contact@southshire.example")
HANDOVER = {
    "organisation": CUSTOMER,
    "contact_name": CONTACT[0],
    "contact_email": CONTACT[1],
    "contact_phone": "+44 20 7946 0123",  # kept as PHONE_AS_KEPT
    "project": PROJECT,
    "ps_days_sold": "2.5",
    "contract_date": "2026-03-14",
    "purchase_order": "PO-7731",
    "quote_number": "Q-2026-0420",
    "terms_url": "https://www.lb.example/ps-agreement",
    "timeline": "Live by the end of June",
    "services_lead": LEAD[0],
}
PHONE_AS_KEPT = "+442079460123"  # the handover parses the number as answers are (E.164)


def test_from_handover_to_completion(
    page_for: PageFor, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    with (
        delivery.webhook_receiver() as receiver,
        serving(tmp_path, **_config(smtp_server, receiver)) as server,
    ):
        _accounts(server)
        sales, lead, engineer, customer = (page_for() for _ in range(4))

        _hand_over(sales, server)
        _assign(lead, smtp_server)
        _send_questionnaire(engineer, smtp_server)
        _answer_questionnaire(customer, smtp_server)
        sow_url = _finish_and_send(engineer, smtp_server)
        first_review = _request_changes(customer, smtp_server)
        _send_new_revision(engineer, smtp_server, sow_url)
        _accept(customer, smtp_server, first_review)
        _board_shows_planned(sales, smtp_server)
        _engineer_sees_the_acceptance(engineer, smtp_server)
        engagement_id = delivery.engagement_id_of(engineer)
        _every_email_arrived_once(engineer, smtp_server)
        print(f"\nto the accepted SoW: {time.monotonic() - started:.1f} s")
        _deliver(server, smtp_server, receiver, engagement_id, (sales, engineer, customer))
    print(f"the stretch took {time.monotonic() - started:.1f} s")


def _config(smtp: SmtpServer, receiver: delivery.Receiver) -> dict[str, object]:
    return smtp.config(
        SERVICES_TEAM_EMAIL=SERVICES_TEAM,
        FINANCE_EMAIL=FINANCE,
        COMPLETION_WEBHOOK_URL=receiver.url,
        COMPLETION_WEBHOOK_SECRET=delivery.WEBHOOK_SECRET,
        COMPLETION_WEBHOOK_PRIVATE_ADDRESSES=True,  # the receiver is on this machine
    )


def _deliver(
    server: LiveServer,
    smtp: SmtpServer,
    receiver: delivery.Receiver,
    engagement_id: int,
    pages: tuple[Page, ...],
) -> None:
    """Issue 11's "Done when": from the accepted SoW to Complete, then a purge a year on."""
    sales, engineer, customer = pages
    base = server.url
    delivery.make_the_pdr(engineer, base, engagement_id)
    delivery.set_availability(engineer, base)
    delivery.record_session(engineer, base, engagement_id, ENGINEER[0], complete=False,
                            booked=False)  # fmt: skip
    delivery.send_session_link(engineer, base, engagement_id)
    delivery.book_the_session(customer, smtp, CUSTOMER, CONTACT[1])
    delivery.record_session(engineer, base, engagement_id, ENGINEER[0], complete=True,
                            booked=True)  # fmt: skip
    delivery.pass_every_test_and_issue(engineer, base, engagement_id)
    delivery.send_validation(engineer, base, engagement_id)
    services = delivery.answer_validation(customer, smtp, CUSTOMER, CONTACT[1])
    assert services and services[0].startswith("Exchange")  # the PDR's service, as confirmed
    delivery.send_acceptance_document(engineer, base, engagement_id)
    delivery.accept_the_document(customer, smtp, CUSTOMER, CONTACT, services)
    delivery.support_handover_is_made(engineer, base, engagement_id)
    delivery.board_shows_complete(sales, smtp, CUSTOMER, SALES[1])
    arrived(smtp, f"{CUSTOMER} is complete", FINANCE)
    delivery.signed_once(receiver, engagement_id)
    retention.purge_a_year_on(server, engineer, engagement_id)


def _accounts(server: LiveServer) -> None:
    with server.app.app_context():
        for (name, email), role in ((SALES, Role.SALES), (LEAD, Role.LEAD),
                                    (ENGINEER, Role.ENGINEER)):  # fmt: skip
            accounts.create_user(db.session(), email, PASSWORD, name, roles={role})


# --- sales, the lead and the engineer -------------------------------------------------------------


def _hand_over(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/e/login")
    sign_in(page, SALES[1])
    page.get_by_role("link", name="Hand over").click()
    for name, value in HANDOVER.items():
        page.locator(f"[id='{name}']").fill(value)
    page.get_by_role("button", name="Hand over and send the emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CUSTOMER} is handed over")


def _assign(page: Page, smtp: SmtpServer) -> None:
    """The lead reads the services team's handover email and assigns the engineer."""
    handover = wait_for(smtp, f"Sales handover: {CUSTOMER}, {PROJECT}", SERVICES_TEAM)
    page.goto(link(handover, "Open the engagement"))
    sign_in(page, LEAD[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(CUSTOMER)
    expect(page.locator("#board-stage")).to_contain_text("Pipeline, no engineer yet")
    page.get_by_role("link", name="Assign an engineer on the board").click()
    card = page.locator("article.board__card", has_text=CUSTOMER)
    expect(page.locator("section", has=card)).to_have_attribute("aria-labelledby", "stage-pipeline")
    card.get_by_label("Assign an engineer").select_option(label=ENGINEER[0])
    card.get_by_role("button", name=f"Assign {CUSTOMER}").click()
    discovery = page.locator("section[aria-labelledby='stage-discovery']")
    expect(discovery.locator("article.board__card", has_text=CUSTOMER)).to_contain_text(ENGINEER[0])


def _send_questionnaire(page: Page, smtp: SmtpServer) -> None:
    assigned = wait_for(smtp, f"You are assigned {CUSTOMER}, {PROJECT}", ENGINEER[1])
    page.goto(link(assigned, "Open the engagement"))
    sign_in(page, ENGINEER[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(CUSTOMER)
    sending = page.locator("form[action$='/questionnaire']")
    expect(sending.get_by_label("Email address")).to_have_value(CONTACT[1])  # from the handover
    sending.get_by_role("button", name="Send the questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaire sent")
    expect(page.locator(".panel__body")).to_contain_text(CONTACT[1])


# --- the customer's questionnaire -----------------------------------------------------------------


def _answer_questionnaire(page: Page, smtp: SmtpServer) -> None:
    """From the invitation to the submitted answers, which the same link shows afterwards."""
    invite = wait_for(
        smtp, f"Prepare for your load balancer discovery call: {CUSTOMER}", CONTACT[1]
    )
    questionnaire = link(invite, "Open the questionnaire")
    flows.start(page, questionnaire)
    _check_the_prefilled_facts(page)
    answer_the_shortest_path(page)
    flows.submit(page)
    received = wait_for(smtp, f"Thank you: we have your answers for {CUSTOMER}", CONTACT[1])
    assert "now shows a summary of what you sent" in received.part("text/plain")
    page.goto(questionnaire)
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers submitted")


def _check_the_prefilled_facts(page: Page) -> None:
    """The first two pages show what sales entered."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the details of your purchase")
    for qid, value in (("project", PROJECT), ("ps_days_sold", "2.5"),
                       ("contract_date", "2026-03-14"), ("purchase_order", "PO-7731"),
                       ("quote_number", "Q-2026-0420"), ("services_lead", LEAD[0])):  # fmt: skip
        expect(field(page, qid)).to_have_value(value)
    choose(page, "commercial_confirmed", "yes")
    save_and_continue(page, "organisation")
    for qid, value in (("organisation", CUSTOMER), ("contact_name", CONTACT[0]),
                       ("contact_email", CONTACT[1]), ("contact_phone", PHONE_AS_KEPT)):  # fmt: skip
        expect(field(page, qid)).to_have_value(value)
    save_and_continue(page, "project")


# --- the Statement of Work ------------------------------------------------------------------------


def _finish_and_send(page: Page, smtp: SmtpServer) -> str:
    """The engineer opens the submitted engagement, finishes the pre-filled SoW and sends it;
    returns the SoW page's address."""
    submitted = wait_for(smtp, f"Questionnaire submitted: {CUSTOMER}, {PROJECT}", ENGINEER[1])
    page.goto(link(submitted, "Open the engagement"))
    open_sow = page.get_by_role("link", name="Open the SoW")
    reload_until(page, open_sow.is_visible)  # "being pre-filled ... Reload this page"
    open_sow.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Work")
    sow_url = page.url
    expect(page.locator("#checklist-title")).not_to_contain_text("(0)")  # there is work to do
    _save_revision(page, 1, "Agreed on the discovery call: one-arm, an HA pair.", finish=True)
    _send(page, 2)
    return sow_url


def _save_revision(page: Page, current: int, added: str, *, finish: bool = False) -> None:
    editor = page.get_by_label(f"Revision {current} (Markdown)")
    markdown = finished(editor.input_value()) if finish else editor.input_value()
    editor.fill(markdown + f"\n\n{added}\n")
    page.get_by_label("What changed (optional)").fill(added)
    page.get_by_role("button", name=f"Save as revision {current + 1}").click()
    expect(page.get_by_text(f"Saved as revision {current + 1}.")).to_be_visible()


def _send(page: Page, number: int) -> None:
    expect(page.get_by_label("Email address")).to_have_value(CONTACT[1])
    page.get_by_role("button", name=f"Send revision {number} to the customer").click()
    expect(page.get_by_text(f"Revision {number} is on its way to {CONTACT[1]}")).to_be_visible()


def _sow_sent_subject(number: int) -> str:
    return f"Statement of Work for {CUSTOMER}: revision {number} for your review"


def _request_changes(page: Page, smtp: SmtpServer) -> str:
    """The customer reads revision 2 and asks for a change; returns the link they used."""
    sent = wait_for(smtp, _sow_sent_subject(2), CONTACT[1])
    review = link(sent, "Review the Statement of Work")
    page.goto(review)
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Work, revision 2")
    expect(page.locator(".sow-preview")).to_contain_text("Agreed on the discovery call")
    expect(page.locator(".sow-preview")).not_to_contain_text("To confirm on the discovery call")
    page.get_by_role("button", name="Ask for changes").click()
    page.get_by_label("Your comments").fill("Please add the DR site in Leeds.")
    page.get_by_role("button", name="Send your comments").click()
    expect(page.get_by_role("heading", name="Thank you: we have your comments")).to_be_visible()
    return review


def _send_new_revision(page: Page, smtp: SmtpServer, sow_url: str) -> None:
    asked = wait_for(smtp, f"{CUSTOMER} asked for changes to revision 2 of the SoW", ENGINEER[1])
    assert "Please add the DR site in Leeds." in asked.part("text/plain")
    page.goto(link(asked, "Open the Statement of Work"))
    assert page.url.split("#")[0] == sow_url
    expect(page.get_by_text("Please add the DR site in Leeds.")).to_be_visible()
    _save_revision(page, 2, "The DR site in Leeds is in scope.")
    _send(page, 3)


def _accept(page: Page, smtp: SmtpServer, first_review: str) -> None:
    """The customer accepts revision 3: the PDF they were sent is the document accepted."""
    sent = wait_for(smtp, _sow_sent_subject(3), CONTACT[1])
    ((media_type, pdf),) = attachments(sent).values()
    assert media_type == "application/pdf" and pdf.startswith(b"%PDF")
    page.goto(link(sent, "Review the Statement of Work"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Work, revision 3")
    expect(page.locator(".sow-preview")).to_contain_text("The DR site in Leeds is in scope.")
    page.get_by_role("button", name="Accept this Statement of Work").click()
    page.get_by_label("Full name").fill(CONTACT[0])
    page.get_by_label("Job title").fill("Head of Infrastructure")
    page.get_by_label(f"I may accept this Statement of Work on behalf of {CUSTOMER}").check()
    page.get_by_role("button", name="Accept the Statement of Work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement of Work accepted")
    sha256 = hashlib.sha256(pdf).hexdigest()
    expect(page.locator(".summary-list code")).to_have_text(sha256)
    confirmed = wait_for(smtp, f"You accepted the Statement of Work for {CUSTOMER}", CONTACT[1])
    assert sha256 in confirmed.part("text/plain")
    ((media_type, record),) = attachments(confirmed).values()
    assert media_type == "application/pdf" and record.startswith(b"%PDF")

    page.goto(first_review)  # the link to revision 2, from the first email
    expect(page.get_by_text("This link is to an earlier revision")).to_be_visible()


# --- the end: the board, and the emails ----------------------------------------------------------


def _accepted_subject() -> str:
    return f"{CUSTOMER} accepted the Statement of Work (revision 3)"


def _board_shows_planned(page: Page, smtp: SmtpServer) -> None:
    """Sales follow their email to the board: the card is in Planned."""
    accepted = wait_for(smtp, _accepted_subject(), SALES[1])
    page.goto(link(accepted, "See the engagement on the board"))
    planned = page.locator("section[aria-labelledby='stage-planned']")
    expect(planned.locator("article.board__card", has_text=CUSTOMER)).to_be_visible()


def _engineer_sees_the_acceptance(page: Page, smtp: SmtpServer) -> None:
    accepted = wait_for(smtp, _accepted_subject(), ENGINEER[1])
    page.goto(link(accepted, "open the Statement of Work"))
    expect(page.get_by_role("heading", name="Revision 3 accepted")).to_be_visible()
    expect(page.get_by_text(f"By {CONTACT[0]} (Head of Infrastructure)")).to_be_visible()


def _expected_emails() -> Counter[tuple[str, str]]:
    subjects = [
        (f"Sales handover: {CUSTOMER}, {PROJECT}", SERVICES_TEAM),
        (f"Handing over {CUSTOMER} to our services team", CONTACT[1]),
        (f"You are assigned {CUSTOMER}, {PROJECT}", ENGINEER[1]),
        (f"Prepare for your load balancer discovery call: {CUSTOMER}", CONTACT[1]),
        (f"Thank you: we have your answers for {CUSTOMER}", CONTACT[1]),
        (f"Questionnaire submitted: {CUSTOMER}, {PROJECT}", ENGINEER[1]),
        (_sow_sent_subject(2), CONTACT[1]),
        (f"{CUSTOMER} asked for changes to revision 2 of the SoW", ENGINEER[1]),
        (_sow_sent_subject(3), CONTACT[1]),
        (_accepted_subject(), ENGINEER[1]),
        (_accepted_subject(), SALES[1]),
        (f"You accepted the Statement of Work for {CUSTOMER}", CONTACT[1]),
    ]
    return Counter(subjects)


def _every_email_arrived_once(page: Page, smtp: SmtpServer) -> None:
    """The Outbox lists as many emails as the server got, every one sent, each arrived once."""
    page.get_by_role("link", name="Outbox").click()
    states = page.locator("table tbody tr td:first-child strong")
    everything_sent = ["sent"] * len(smtp.received)
    reload_until(page, lambda: states.all_inner_texts() == everything_sent)
    assert subjects_by_recipient(smtp) == _expected_emails()
    ids = smtp.message_ids()
    assert len(set(ids)) == len(ids), ids
