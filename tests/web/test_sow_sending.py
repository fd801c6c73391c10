"""The engineer sends a SoW revision from the SoW page and sees what became of it; the emails
go through a real SMTP server (the PDF attached, the link opening the review page)."""

from __future__ import annotations

import hashlib
import re
from html import unescape

from flask import Flask
from sqlalchemy import select

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import (
    Engagement,
    Export,
    ExportStatus,
    OutgoingEmail,
    PipelineStage,
    Role,
)
from questionnaire.worker import Worker
from tests.sent_mail import text_as_sent
from tests.smtp import SmtpServer, via

from .customer import csrf_token, error_summary
from .engineer import PASSWORD, log_in
from .sow_review_flow import (
    CONTACT,
    ENGINEER,
    SALES,
    SOW,
    TOKEN_IN_LINK,
    accept,
    ask_for_changes,
    drafted,
    post_send,
    save_revision,
    sent,
)
from .state import run_jobs


def test_the_send_form_is_filled_in_from_the_contact(app: Flask) -> None:
    page = drafted(app).get(SOW).text
    assert "Send revision 1 to the customer" in page
    assert f'value="{CONTACT[0]}"' in page and f'value="{CONTACT[1]}"' in page
    assert "Mark revision 1 as sent to the customer" in page  # for a SoW sent another way


def test_the_send_form_warns_of_items_still_to_confirm_until_they_are_filled_in(
    app: Flask,
) -> None:
    engineer = drafted(app)
    page = unescape(engineer.get(SOW).text)
    assert 'id="unconfirmed"' in page and "still marks" in page
    assert "the customer reads each as “[To confirm on the discovery call: …]”" in page
    save_revision(engineer, "# SoW\n\n## Scope\n\nTwo VIPs, each confirmed on the call.\n")
    assert 'id="unconfirmed"' not in engineer.get(SOW).text


def test_a_wrong_recipient_gets_the_page_back_with_what_was_typed(app: Flask) -> None:
    engineer = drafted(app)
    refused = post_send(engineer, to_name="", to_address="jo@\r\nBcc: x@evil.example")
    assert refused.status_code == 400
    assert error_summary(refused.text) == [
        ("to_name", "Enter the name of the person to send it to"),
        ("to_address", "Enter an email address in the correct format, like name@example.com"),
    ]
    assert "<title>Error: " in refused.text
    assert run_jobs(app) == []  # nothing was queued


def test_only_the_latest_revision_can_be_sent(app: Flask) -> None:
    engineer = drafted(app)
    save_revision(engineer, "# SoW\n\n## Scope\n\nMore.\n")
    stale = post_send(engineer, 1)
    assert stale.status_code == 409 and "Revision 2 is the latest" in stale.text


def test_the_sow_page_shows_what_was_sent_and_the_email_state(app: Flask) -> None:
    engineer = drafted(app)
    assert post_send(engineer).status_code == 302
    waiting = engineer.get(SOW).text
    assert "Sending revision 1 to jo@acme.example.com" in waiting
    run_jobs(app)
    page = engineer.get(SOW).text
    assert "Sent by email" in page and "Open until" in page and "jo@acme.example.com" in page
    assert ">Sent<span" in page  # the email's state, linked to the Outbox
    assert "Whether the customer opened the link is not recorded" in page
    board = engineer.get("/e/board").text
    assert "SoW revision 1 sent today, awaiting the customer" in board


def test_a_failed_pdf_shows_why_the_sow_was_not_sent(app: Flask) -> None:
    engineer = drafted(app)
    with app.app_context():
        pdf = db.session().scalars(select(Export).where(Export.format == "pdf")).one()
        pdf.status = ExportStatus.FAILED
        pdf.error = "the document is larger than the PDF export allows"
        db.session().commit()
    post_send(engineer)
    run_jobs(app)
    page = unescape(engineer.get(SOW).text)
    assert "Revision 1 was not sent to jo@acme.example.com" in page
    assert "larger than the PDF export allows" in page


def test_customer_change_requests_show_by_section_and_the_second_brings_the_seeds_advice(
    app: Flask,
) -> None:
    engineer = drafted(app)
    token = sent(app, engineer)
    customer = app.test_client()
    form = customer.get(f"/s/{token}/changes").text
    scope = re.search(r'for="(section-\d+)">Comments on “Scope”', form)
    assert scope
    ask_for_changes(customer, token, comment="Add the DR site.", **{scope.group(1): "Two VIPs"})
    page = unescape(engineer.get(SOW).text)
    assert "Changes the customer asked for" in page and "Add the DR site." in page
    assert ">Scope</dt>" in page and ">Two VIPs</dd>" in page
    assert "Arrange another call with the customer" not in page
    assert "the customer asked for changes to SoW revision 1" in engineer.get("/e/board").text
    token = sent(app, engineer, save_revision(engineer, "# SoW\n\n## Scope\n\nTwo VIPs.\n"))
    ask_for_changes(customer, token, comment="And three real servers.")
    page = engineer.get(SOW).text
    assert "Arrange another call with the customer" in page
    assert "asked for changes 2 times" in page


def test_the_whole_send_and_accept_through_a_real_smtp_server(
    app: Flask, smtp_server: SmtpServer
) -> None:
    engineer = drafted(app)
    worker = Worker(via(app.extensions["services"], smtp_server), app.extensions["database"],
                    isolate=False)  # fmt: skip
    worker.run_pending()  # the submission's own emails
    smtp_server.received.clear()
    assert post_send(engineer).status_code == 302
    worker.run_pending()
    [message] = smtp_server.received
    assert message.rcpt_tos == [CONTACT[1]]
    email = message.message
    assert "revision 1 for your review" in str(email["Subject"])
    assert str(email["Reply-To"]) == ENGINEER
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == "SoW-Acme-Health-r1.pdf"
    sent_pdf = attachment.get_content()
    with app.app_context():
        pdf = db.session().scalars(select(Export).where(Export.format == "pdf")).one()
        stored = app.extensions["services"].settings.export_dir / str(pdf.stored_name)
        assert sent_pdf == stored.read_bytes()
    link = TOKEN_IN_LINK.search(message.part("text/plain"))
    assert link and f"https://questionnaire.example.com/s/{link.group(1)}/" in message.part(
        "text/plain"
    )
    assert f'href="https://questionnaire.example.com/s/{link.group(1)}/"' in message.part(
        "text/html"
    )
    customer = app.test_client()
    review = customer.get(f"/s/{link.group(1)}/")  # the link in the email opens the review
    assert review.status_code == 200 and "Statement of Work, revision 1" in review.text
    assert hashlib.sha256(sent_pdf).hexdigest() in customer.get(f"/s/{link.group(1)}/accept").text
    assert accept(customer, link.group(1)).status_code == 303
    smtp_server.received.clear()
    worker.run_pending()
    by_recipients = {tuple(r.rcpt_tos): r for r in smtp_server.received}
    assert set(by_recipients) == {(ENGINEER, SALES), (CONTACT[1],)}
    accepted = by_recipients[(ENGINEER, SALES)].part("text/plain")
    assert "Jo Customer (Head of IT) accepted revision 1" in accepted
    assert hashlib.sha256(sent_pdf).hexdigest() in accepted
    confirmed = by_recipients[(CONTACT[1],)].message
    [record] = list(confirmed.iter_attachments())
    assert record.get_filename() == "SoW-acceptance-Acme-Health-r1.pdf"
    assert record.get_content().startswith(b"%PDF")
    with app.app_context():
        engagement = db.session().get(Engagement, 1)
        assert engagement is not None and engagement.pipeline_stage == PipelineStage.PLANNED


def test_after_acceptance_the_sow_page_shows_who_and_the_record_and_sends_nothing_more(
    app: Flask,
) -> None:
    engineer = drafted(app)
    token = sent(app, engineer)
    accept(app.test_client(), token)
    page = engineer.get(SOW).text
    assert "Revision 1 accepted" in page and "By Jo Customer (Head of IT)" in page
    assert "Send revision 1 to the customer" not in page and "Being made" in page
    run_jobs(app)
    page = engineer.get(SOW).text
    record = engineer.get(f"{SOW}/acceptance.pdf")
    assert record.status_code == 200 and record.data.startswith(b"%PDF")
    record.close()
    refused = engineer.post(f"{SOW}/revisions/1/send", data={
        "csrf_token": csrf_token(page), "to_name": "Jo", "to_address": CONTACT[1]})  # fmt: skip
    assert refused.status_code == 409 and "accepted revision 1" in refused.text
    marked = engineer.post(f"{SOW}/revisions/1/sent", data={"csrf_token": csrf_token(page)})
    assert marked.status_code == 409
    assert "Planned" in engineer.get("/e/board").text
    assert engineer.get("/e/engagements/1").status_code == 200


def test_each_person_the_acceptance_email_goes_to_may_open_a_link_in_it(app: Flask) -> None:
    """Sales get it too, and may not open the SoW: the board's card is linked for them."""
    engineer = drafted(app)
    with app.app_context():
        accounts.create_user(db.session(), SALES, PASSWORD, "Sam Sales", roles={Role.SALES})
    accept(app.test_client(), sent(app, engineer))
    with app.app_context():
        email = (
            db.session()
            .scalars(select(OutgoingEmail).where(OutgoingEmail.template == "sow_accepted"))
            .one()
        )
        assert [r["address"] for r in email.recipients] == [ENGINEER, SALES]
        text = text_as_sent(app.extensions["services"], email)
    base = "https://questionnaire.example.com"
    board = re.search(rf"See the engagement on the board <{base}(/e/board#engagement-1)>", text)
    sow = re.search(rf"open the Statement of Work <{base}({SOW})>", text)
    assert board and sow, text
    for person in (log_in(app, SALES), engineer):
        page = person.get(board.group(1).split("#")[0])
        assert page.status_code == 200
        planned = page.text.split('id="stage-planned"')[1].split("</section>")[0]
        assert 'id="engagement-1"' in planned
    assert engineer.get(sow.group(1)).status_code == 200


def test_the_acceptance_record_of_an_engagement_without_one_is_a_404(app: Flask) -> None:
    engineer = drafted(app)
    assert engineer.get(f"{SOW}/acceptance.pdf").status_code == 404
    assert engineer.get("/e/engagements/99/sow/acceptance.pdf").status_code == 404
