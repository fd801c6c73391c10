"""The validation questionnaire in the browser's terms: the engagement page offers it once there
is a PDR; the customer sees each virtual service read-only with its questions and can neither
add nor remove one, whatever is posted; the engineer reads the answers per service."""

from __future__ import annotations

import io
import re
import tarfile
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from questionnaire.store import db
from questionnaire.store.models import Engagement, OutgoingEmail, Response
from tests.sent_mail import text_as_sent
from tests.services.validation_support import (
    HEADINGS,
    PACS,
    WEB,
    definitions_with_validation,
    handed_over,
    with_pdr,
)

from .customer import Customer, csrf_token, error_summary, version
from .engineer import log_in, make_engineer

ENGAGEMENT = "/e/engagements/1"
PAGE = "/p/services"


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict[str, Any]:
    return {"DEFINITIONS_DIR": str(definitions_with_validation(tmp_path / "definitions"))}


def engineer_with_engagement(app: Flask, *services: dict[str, object]) -> FlaskClient:
    make_engineer(app)
    with app.app_context():
        engagement = handed_over(db.session())
        if services:
            with_pdr(db.session(), engagement.id, *services)
    return log_in(app)


def send_validation(engineer: FlaskClient) -> Any:
    page = engineer.get(ENGAGEMENT)
    data = {
        "csrf_token": csrf_token(page.text), "contact_name": "Jo Bloggs",
        "contact_email": "jo@acme.example", "definition": "validation", "expires_days": "14",
    }  # fmt: skip
    return engineer.post(f"{ENGAGEMENT}/questionnaire", data=data)


def customer(app: Flask, engineer: FlaskClient) -> Customer:
    """The customer with the validation link the engineer just emailed, started."""
    assert send_validation(engineer).status_code == 303
    with app.app_context():
        query = select(OutgoingEmail).where(OutgoingEmail.template == "validation_invite")
        email = db.session().scalars(query).one()
        body = text_as_sent(app.extensions["services"], email)
    token = re.findall(r"/r/([A-Za-z0-9_-]{43})/", body)[0]
    visitor = Customer(app.test_client(), token)
    assert visitor.start().status_code == 302
    return visitor


def test_without_a_pdr_the_page_says_when_it_can_be_sent_and_a_post_is_refused(
    app: Flask,
) -> None:
    engineer = engineer_with_engagement(app)
    page = engineer.get(ENGAGEMENT)
    assert "Validation by the customer" in page.text
    assert "It can be sent once the engagement has a PDR." in page.text
    assert "Send the validation questionnaire" not in page.text
    refused = send_validation(engineer)
    assert refused.status_code == 400
    assert "this engagement has no PDR yet: make the PDR first" in unescape(refused.text)
    assert '<h1 class="heading-l">Send the validation questionnaire</h1>' in refused.text


def test_with_a_pdr_the_engineer_sends_it_and_the_confirmation_says_so(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB)
    page = engineer.get(ENGAGEMENT)
    assert 'id="validation-contact_email"' in page.text  # ids of its own beside the other form
    assert "Send the validation questionnaire</button>" in page.text
    sent = send_validation(engineer)
    assert sent.status_code == 303 and sent.location.endswith(
        "/questionnaire/sent?definition=validation"
    )
    confirmation = engineer.get(sent.location)
    assert "Validation questionnaire sent" in confirmation.text
    assert "To Jo Bloggs (jo@acme.example)" in confirmation.text


def test_the_customer_sees_each_service_read_only_and_answers_its_questions(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB, PACS)
    visitor = customer(app, engineer)
    page = visitor.get(PAGE)
    text = unescape(page.text)
    assert page.status_code == 200
    assert text.index(HEADINGS[0]) < text.index(HEADINGS[1])
    assert text.count(">Answer the questions<span") == 2
    assert "/services/new" not in page.text and "/remove" not in page.text
    record = visitor.get(f"{PAGE}/services/0")
    assert record.status_code == 200
    assert f'<h1 class="heading-l">{HEADINGS[0]}</h1>' in unescape(record.text)
    assert "Does Web servers work from your clients&#39; side?" in record.text
    assert 'name="name"' not in record.text  # the given fields are not inputs
    posted = visitor.add_record(
        "services", "services", {"works": "no", "works_problem": "Time-outs", "failover": "yes",
                                 "missing": "no", "name": "Renamed"}, item="0",
    )  # fmt: skip
    assert posted.status_code == 302
    with app.app_context():
        answers = db.session().scalars(select(Response.answers)).one()
    assert answers["services"][0]["name"] == "Web servers"
    assert answers["services"][0]["works_problem"] == "Time-outs"
    assert len(answers["services"]) == 2


def test_a_crafted_post_cannot_add_or_remove_a_service(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB)
    visitor = customer(app, engineer)
    page = visitor.get(PAGE)
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text)}
    assert visitor.get(f"{PAGE}/services/new").status_code == 404
    added = visitor.client.post(f"{visitor.base}{PAGE}/services/new", data={**form, "works": "yes"})
    assert added.status_code == 404
    removed = visitor.client.post(
        f"{visitor.base}{PAGE}/services/0/remove", data={**form, "confirm": "yes"}
    )
    assert removed.status_code == 404
    beyond = visitor.client.post(f"{visitor.base}{PAGE}/services/1", data={**form, "works": "yes"})
    assert beyond.status_code == 404
    smuggled = visitor.client.post(
        f"{visitor.base}{PAGE}", data={**form, "services": "[{}, {}]", "action": "continue"}
    )
    assert smuggled.status_code in (302, 400)
    with app.app_context():
        answers = db.session().scalars(select(Response.answers)).one()
    assert answers["services"] == [
        {"name": "Web servers", "vip": "10.0.0.10", "ports": "443", "protocol": "HTTPS"}
    ]


def test_the_engineer_reads_the_answers_per_service(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB)
    visitor = customer(app, engineer)
    record = {"works": "yes", "failover": "not_tested", "missing": "no"}
    assert visitor.add_record("services", "services", record, item="0").status_code == 302
    assert visitor.answer("services", {}).status_code == 302
    assert visitor.answer("overall", {"tested_by": "Alex Morgan"}).status_code == 302
    review = visitor.get("/review")
    assert HEADINGS[0] in unescape(review.text)
    assert visitor.submit().status_code == 302
    page = engineer.get(ENGAGEMENT)
    assert "The customer submitted the validation questionnaire on" in page.text
    answers = engineer.get(f"{ENGAGEMENT}/validation")
    text = unescape(answers.text)
    assert answers.status_code == 200
    assert f'<h3 class="heading-s">{HEADINGS[0]}</h3>' in text
    assert "We did not test it" in text and "Alex Morgan" in text
    with app.app_context():
        stage = db.session().scalars(select(Engagement.response_status)).one()
    assert stage is None  # the list's stage follows the discovery questionnaire only


def _support_download() -> bytes:
    """A small technical support download, as the load balancer makes it (a .tar.gz)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("lbsupport/status.txt")
        body = b"all services up\n"
        info.size = len(body)
        archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def test_the_customer_may_upload_the_support_download(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB)
    visitor = customer(app, engineer)
    upload = (io.BytesIO(_support_download()), "lbsupport.tar.gz")
    data = {"tested_by": "Alex Morgan", "support_download": upload}
    assert visitor.answer("overall", data).status_code == 302
    with app.app_context():
        answers = db.session().scalars(select(Response.answers)).one()
    assert answers["support_download"]["kind"] == "targz"
    assert answers["support_download"]["name"] == "lbsupport.tar.gz"


def test_each_missing_answer_links_from_the_error_summary_to_its_service(app: Flask) -> None:
    engineer = engineer_with_engagement(app, WEB)
    visitor = customer(app, engineer)
    missing = visitor.answer("services", {})
    assert missing.status_code == 400
    links = error_summary(missing.text)
    assert [anchor for anchor, _ in links] == [
        "services[0].works", "services[0].failover", "services[0].missing",
    ]  # fmt: skip
    for anchor, _ in links:
        assert f'id="{anchor}"' in missing.text
