"""Sending the questionnaire from the engagement page: the form (pre-filled, with each error in
the summary and beside its field, what was typed kept), the confirmation, what the engagement
page then says, the reminder switch, and the emailed link opening the questionnaire."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from questionnaire.services import links
from questionnaire.store import db
from questionnaire.store.models import AuditEvent, Engagement, OutgoingEmail
from questionnaire.worker import Worker
from tests.sent_mail import text_as_sent
from tests.smtp import SmtpServer, via

from .customer import Customer, csrf_token, error_summary, version
from .engineer import log_in, make_engineer
from .state import dump, with_config

ENGINEER = "eng@example.com"


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


LINK = re.compile(r"https://questionnaire\.example\.com(/r/[A-Za-z0-9_-]{43}/)")


def engagement(app: Flask, contact_email: str | None = "jo@acme.example") -> int:
    with app.app_context():
        session = db.session()
        found = links.create_engagement(session, "Acme <b>Health</b>", "sales@example.com")
        found.contact_name, found.contact_email = "Jo <i>Bloggs</i>", contact_email
        session.commit()
        return found.id


def engineer(app: Flask) -> FlaskClient:
    make_engineer(app, ENGINEER)
    return log_in(app, ENGINEER)


def send(client: FlaskClient, engagement_id: int, **changes: str | None) -> Any:
    page = client.get(f"/e/engagements/{engagement_id}").text
    data = {
        "csrf_token": csrf_token(page), "contact_name": "Jo Bloggs",
        "contact_email": "jo@acme.example", "definition": "small", "expires_days": "14",
        "reminders_offered": "1", "reminders": "on", **changes,
    }  # fmt: skip
    posted = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/e/engagements/{engagement_id}/questionnaire", data=posted)


def invite_email(app: Flask) -> OutgoingEmail:
    with app.app_context():
        return (
            db.session()
            .scalars(select(OutgoingEmail).where(OutgoingEmail.template == "questionnaire_invite"))
            .one()
        )


def test_the_engagement_page_offers_the_form_pre_filled_from_the_handover(app: Flask) -> None:
    engagement_id = engagement(app)
    page = engineer(app).get(f"/e/engagements/{engagement_id}").text
    assert '<h2 class="heading-m" id="questionnaire">Send the questionnaire</h2>' in page
    assert 'id="contact_email" name="contact_email"' in page
    assert 'value="jo@acme.example"' in page and 'value="Jo &lt;i&gt;Bloggs&lt;/i&gt;"' in page
    assert 'id="expires_days" name="expires_days"' in page and 'value="14"' in page
    assert 'name="reminders" value="on" aria-describedby="reminders-hint" checked>' in page
    assert "Send a reminder 3 days before the link" in page
    assert '<input type="hidden" name="definition" value="small">' in page  # the only one
    assert "Create a new link" in page  # the manual link stays


def test_sending_confirms_to_whom_and_until_when_and_the_page_says_so(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    sent = send(client, engagement_id)
    assert sent.status_code == 303
    assert sent.location == f"/e/engagements/{engagement_id}/questionnaire/sent"
    confirmation = client.get(sent.location).text
    assert "Questionnaire sent" in confirmation and "To Jo Bloggs (jo@acme.example)" in confirmation
    assert re.search(r"The link works until 23:59 UTC on \w+day \d+ \w+ 20\d\d, and a reminder "
                     r"due on \w+day \d+ \w+ 20\d\d if Acme &lt;b&gt;Health&lt;/b&gt; has not "
                     r"submitted by then\.", confirmation), confirmation  # fmt: skip
    page = client.get(f"/e/engagements/{engagement_id}").text
    assert re.search(r"Questionnaire sent on \w+day \d+ \w+ 20\d\d to Jo Bloggs "
                     r"\(jo@acme\.example\), reminder due on \w+day \d+ \w+ 20\d\d\.", page)  # fmt: skip
    assert "Queued: the worker sends it in a moment" in page
    assert "Send the questionnaire again (ends the current link)" in page
    assert "questionnaire.send" in page  # in the history
    assert "Reminders are <strong>on</strong> for this engagement." in page


def test_bad_input_comes_back_with_the_error_summary_and_what_was_typed(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    before = dump(app)
    refused = send(client, engagement_id, contact_email="jo@", expires_days="0", reminders=None)
    assert refused.status_code == 400
    assert error_summary(refused.text) == [
        ("contact_email", "Enter an email address in the correct format, like name@example.com"),
        ("expires_days", "Enter a whole number of days from 1 to 90"),
    ]
    page = refused.text
    assert page.count("Enter a whole number of days from 1 to 90") == 2  # summary and field
    assert 'value="jo@"' in page and 'value="0"' in page
    assert 'aria-describedby="reminders-hint">' in page  # unticked, as it was posted
    assert "<title>Error: " in page
    assert dump(app) == before


def test_an_engagement_without_a_contact_email_says_so_and_asks_for_one(app: Flask) -> None:
    engagement_id = engagement(app, contact_email=None)
    client = engineer(app)
    assert "recorded no email address" in client.get(f"/e/engagements/{engagement_id}").text
    refused = send(client, engagement_id, contact_email="")
    assert refused.status_code == 400
    assert error_summary(refused.text) == [("contact_email", (
        "This engagement has no contact's email address from the handover: enter the address to "
        "send the questionnaire to"))]  # fmt: skip
    assert send(client, engagement_id, contact_email="jo@acme.example").status_code == 303


def test_the_form_and_the_switch_need_a_csrf_token_and_a_known_engagement(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    before = dump(app)
    for url in (f"/e/engagements/{engagement_id}/questionnaire",
                f"/e/engagements/{engagement_id}/questionnaire/reminders"):  # fmt: skip
        assert client.post(url, data={"reminders": "off"}).status_code == 400
    token = csrf_token(client.get(f"/e/engagements/{engagement_id}").text)
    for url in ("/e/engagements/999/questionnaire", "/e/engagements/999/questionnaire/reminders"):
        assert client.post(url, data={"csrf_token": token, "reminders": "off"}).status_code == 404
    assert client.get("/e/engagements/999/questionnaire").status_code == 404
    assert client.get("/e/engagements/999/questionnaire/sent").status_code == 404
    assert dump(app) == before
    nothing_sent = client.get(f"/e/engagements/{engagement_id}/questionnaire/sent")
    assert nothing_sent.status_code == 302  # to the form


def test_the_reminder_switch_turns_reminders_off_and_on_in_the_history(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    send(client, engagement_id)
    url = f"/e/engagements/{engagement_id}/questionnaire/reminders"
    token = csrf_token(client.get(f"/e/engagements/{engagement_id}").text)
    assert client.post(url, data={"csrf_token": token, "reminders": "maybe"}).status_code == 400
    off = client.post(url, data={"csrf_token": token, "reminders": "off"})
    assert off.status_code == 302 and off.location.endswith(
        f"/e/engagements/{engagement_id}#questionnaire"
    )
    page = client.get(off.location).text
    assert "Reminders are off for this engagement: no reminder will be sent." in page
    assert "no reminder: reminders are switched off for this engagement" in page
    client.post(url, data={"csrf_token": token, "reminders": "on"})
    with app.app_context():
        switches = (
            db.session()
            .scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "questionnaire.reminders")
            )
            .all()
        )
        assert [s["reminders"] for s in switches] == ["off", "on"]
        found = db.session().get(Engagement, engagement_id)
        assert found is not None and found.questionnaire_reminders is True


@with_config(QUESTIONNAIRE_REMINDER_DAYS=0)
def test_with_reminders_off_everywhere_the_form_says_so_and_keeps_the_switch(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    page = client.get(f"/e/engagements/{engagement_id}").text
    assert (
        "Reminders are switched off for every engagement" in page and 'id="reminders"' not in page
    )
    assert send(client, engagement_id, reminders_offered=None, reminders=None).status_code == 303
    with app.app_context():
        found = db.session().get(Engagement, engagement_id)
        assert found is not None and found.questionnaire_reminders is True  # left as it was
    confirmation = client.get(f"/e/engagements/{engagement_id}/questionnaire/sent").text
    assert "no reminder: reminders are switched off for every engagement" in confirmation


def test_the_emailed_link_is_built_from_the_base_url_and_opens_the_questionnaire(
    app: Flask, smtp_server: SmtpServer
) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    # The request's Host is not ours: the link still names the configured BASE_URL.
    page = client.get(f"/e/engagements/{engagement_id}").text
    for cookie in ("session",):  # the same browser session, on the forged host
        found = client.get_cookie(cookie)
        assert found is not None
        client.set_cookie(cookie, found.value, domain="evil.example")
    sent = client.post(
        f"/e/engagements/{engagement_id}/questionnaire", base_url="http://evil.example",
        data={"csrf_token": csrf_token(page), "contact_email": "jo@acme.example",
              "definition": "small", "expires_days": "14"},
    )  # fmt: skip
    assert sent.status_code == 303, sent.text
    worker = Worker(
        via(app.extensions["services"], smtp_server), app.extensions["database"], isolate=False
    )
    worker.run_pending()
    [received] = smtp_server.received
    assert received.rcpt_tos == ["jo@acme.example"]
    text, html = received.part("text/plain"), received.part("text/html")
    assert "evil.example" not in text + html
    [path] = LINK.findall(text)
    assert f'href="https://questionnaire.example.com{path}"' in html
    customer = app.test_client()
    before = dump(app)
    start = customer.get(path)  # a mail scanner or the customer: a GET changes nothing
    assert start.status_code == 200 and "Small pre-discovery questionnaire" in start.text
    assert "It takes about 5 minutes" in start.text
    assert dump(app) == before
    assert invite_email(app).reply_to == ENGINEER


def test_after_submission_the_page_says_there_is_nothing_more_to_send(app: Flask) -> None:
    engagement_id = engagement(app)
    client = engineer(app)
    send(client, engagement_id)
    [path] = LINK.findall(text_as_sent(app.extensions["services"], invite_email(app)))
    customer = Customer(app.test_client(), path.strip("/").rsplit("/", 1)[1])
    customer.complete_small()
    review = customer.get("/review")
    data = {"csrf_token": csrf_token(review.text), "version": version(review.text)}
    assert customer.client.post(customer.base + "/submit", data=data).status_code == 302
    page = client.get(f"/e/engagements/{engagement_id}").text
    assert "The customer submitted the questionnaire on " in page
    assert 'name="contact_email"' not in page
