"""The engineers' Outbox: behind the login, every email with its state, read as escaped text,
a failed one's error and "Send again", and the links in an email lead into the app."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from flask import Flask
from sqlalchemy import select

from questionnaire.services import mail
from questionnaire.store import db
from questionnaire.store.models import Engagement
from questionnaire.worker import Worker
from tests.smtp import SmtpServer, via

from .customer import csrf_token, invite
from .engineer import log_in, make_engineer, post
from .state import run_jobs

CUSTOMER = {
    "organisation": "Acme Health", "contact_name": "Jo Bloggs", "services_lead": "Sam Lead",
    "timeline": "Six weeks", "sales_name": "Ann Seller",
}  # fmt: skip
HOSTILE = "<script>alert('x')</script><b>Acme</b>"


def queue_email(app: Flask, template: str = "handover_customer", **values: Any) -> int:
    with app.app_context():
        session = db.session()
        email = mail.queue(
            session, app.extensions["services"], template=template,
            to=[("Jo Bloggs", "jo@acme.example")], values={**CUSTOMER, **values}, actor="test",
        )  # fmt: skip
        session.commit()
        return email.id


def engineer(app: Flask) -> Any:
    make_engineer(app)
    return log_in(app)


def test_the_outbox_needs_a_login(app: Flask) -> None:
    email_id = queue_email(app)
    client = app.test_client()
    token = csrf_token(client.get("/e/login").text)
    for method, url in [
        ("GET", "/e/outbox"), ("GET", f"/e/outbox/{email_id}"),
        ("GET", f"/e/outbox/{email_id}/message.eml"),
        ("POST", f"/e/outbox/{email_id}/send-again"),
    ]:  # fmt: skip
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302 and response.location.startswith("/e/login"), url


def test_the_outbox_lists_mail_written_as_eml_files(app: Flask) -> None:
    email_id = queue_email(app)
    client = engineer(app)
    assert "queued" in client.get("/e/outbox").text
    [outcome] = run_jobs(app)
    assert outcome.ok
    listing = client.get("/e/outbox").text
    assert "written as an <code>.eml</code> file to" in listing
    assert "<strong>sent</strong>" in listing and "jo@acme.example" in listing
    assert (
        f'href="/e/outbox/{email_id}">Handing over Acme Health to our services team</a>' in listing
    )
    page = client.get(f"/e/outbox/{email_id}").text
    assert "Dear Jo Bloggs," in page and "written to " in page and ".eml" in page
    with client.get(f"/e/outbox/{email_id}/message.eml") as download:
        assert download.status_code == 200 and download.mimetype == "message/rfc822"
        assert download.headers["Content-Disposition"].startswith("attachment")
        message_id = str(message_from_bytes(download.data, policy=policy.default)["Message-ID"])
    assert message_id.replace("<", "&lt;").replace(">", "&gt;") in page


def test_everything_on_the_outbox_is_escaped(app: Flask) -> None:
    email_id = queue_email(app, organisation=HOSTILE, contact_name=HOSTILE)
    run_jobs(app)
    client = engineer(app)
    for url in ["/e/outbox", f"/e/outbox/{email_id}"]:
        page = client.get(url).text
        assert "<script>alert" not in page and "<b>Acme" not in page, url
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;b&gt;Acme&lt;/b&gt;" in page, url
    page = client.get(f"/e/outbox/{email_id}").text
    # The HTML part is shown as its source: its own markup is text on our page too.
    assert "&lt;p&gt;Dear" in page and "<p>Dear" not in page


def test_a_failed_email_shows_its_error_and_send_again_sends_it(
    app: Flask, smtp_server: SmtpServer
) -> None:
    worker = Worker(
        via(app.extensions["services"], smtp_server), app.extensions["database"], isolate=False
    )
    smtp_server.replies = ["550 5.1.1 <jo@acme.example>: no such user"]
    email_id = queue_email(app)
    worker.run_pending()
    client = engineer(app)
    listing = client.get("/e/outbox").text
    assert "<strong>failed</strong>" in listing
    assert "answered 550 5.1.1 &lt;jo@acme.example&gt;: no such user" in listing
    assert f'action="/e/outbox/{email_id}/send-again"' in listing and "Send again" in listing
    assert client.post(f"/e/outbox/{email_id}/send-again", data={}).status_code == 400
    assert worker.run_pending() == []
    sent_again = cast(Any, post(client, "/e/outbox", f"/e/outbox/{email_id}/send-again"))
    assert sent_again.status_code == 302
    assert "queued to be sent again" in client.get(sent_again.location).text
    [outcome] = worker.run_pending()
    assert outcome.ok and len(smtp_server.received) == 1
    assert "<strong>sent</strong>" in client.get("/e/outbox").text


def test_a_link_in_an_email_opens_the_app_page_it_names(app: Flask) -> None:
    invite(app, customer="Acme Health")
    with app.app_context():
        engagement_id = db.session().scalars(select(Engagement.id)).one()
    queue_email(
        app, "handover_services", project="PACS", contact_email="jo@acme.example",
        ps_days_sold=3, contract_date="2025-03-14", purchase_order="PO-1", quote_number="Q-1",
        terms_url="https://www.loadbalancer.org/terms.pdf", engagement_id=engagement_id,
    )  # fmt: skip
    run_jobs(app)
    [eml] = app.extensions["services"].settings.mail.outbox_dir.iterdir()
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    html = cast(EmailMessage, message.get_body(("html",))).get_content()
    links = re.findall(r'href="https://questionnaire\.example\.com(/[^"]*)"', html)
    assert links == [f"/e/engagements/{engagement_id}"]
    page = engineer(app).get(links[0])
    assert page.status_code == 200 and "Acme Health" in page.text


def test_odd_page_numbers_and_ids_never_break_the_outbox(app: Flask) -> None:
    client = engineer(app)
    for page in ["0", "-1", "²", "9" * 40, "999999", "abc", ""]:
        assert client.get("/e/outbox", query_string={"page": page}).status_code == 200, page
    for url in ["/e/outbox/99999", "/e/outbox/2147483648", "/e/outbox/99999/message.eml"]:
        assert client.get(url).status_code == 404, url
