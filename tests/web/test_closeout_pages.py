"""Close-out's pages: the support notes form (errors with a summary and what was typed, closed
at completion), the support handover document's downloads, the completed engagement's record
(JSON and CSV) for sales, leads and engineers, and the webhook's deliveries for admins."""

from __future__ import annotations

import csv
import io
import json

from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import accounts, closeout
from questionnaire.store import db
from questionnaire.store.models import Role
from questionnaire.web.context import services
from tests.services.closeout_support import CUSTOMER, ENGINEER, PASSWORD, SALES, delivered
from tests.services.factories import Factory

from .customer import csrf_token
from .engineer import sign_in
from .state import run_jobs


def _delivered(app: Flask) -> int:
    with app.app_context():
        return delivered(Factory(db.session(), services()), db.session())


def _complete(app: Flask, engagement_id: int) -> None:
    with app.app_context():
        closeout.on_acceptance_document_accepted(db.session(), services(), engagement_id, CUSTOMER)
        db.session().commit()


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, email=email, password=PASSWORD).status_code == 302
    return client


def test_the_notes_form_says_what_is_wrong_and_keeps_what_was_typed(app: Flask) -> None:
    engagement_id = _delivered(app)
    eve = _client(app, ENGINEER)
    url = f"/e/engagements/{engagement_id}/support-notes"
    page = eve.get(url)
    assert page.status_code == 200
    assert '<label class="label" for="connection">How we connected to the system</label>' in (
        page.text
    )
    assert "TeamViewer session with Jo.</textarea>" in page.text  # what was saved
    assert "Last saved by eve.engineer@loadbalancer.org" in page.text
    token = csrf_token(page.text)
    empty = eve.post(url, data={"csrf_token": token})
    assert empty.status_code == 400
    assert '<a href="#knowledge">Enter at least one note for support</a>' in empty.text
    assert 'aria-describedby="knowledge-hint knowledge-error"' in empty.text
    odd = eve.post(url, data={"csrf_token": token, "knowledge": "Knows <b>", "left_as": "a\x00"})
    assert odd.status_code == 400
    assert "How the system was left: remove the unusual characters" in odd.text
    assert "Knows &lt;b&gt;</textarea>" in odd.text
    saved = eve.post(url, data={"csrf_token": token, "left_as": "Left live."})
    assert saved.status_code == 303
    again = eve.get(url)
    assert "Support notes saved." in again.text and "Left live.</textarea>" in again.text
    assert "TeamViewer" not in again.text  # the form is saved whole


def test_at_completion_the_notes_close_and_the_downloads_open(app: Flask) -> None:
    engagement_id = _delivered(app)
    eve = _client(app, ENGINEER)
    base = f"/e/engagements/{engagement_id}"
    assert eve.get(f"{base}/completion.json").status_code == 404
    assert eve.get(f"{base}/support-handover.pdf").status_code == 409  # not complete
    _complete(app, engagement_id)
    notes = eve.get(f"{base}/support-notes")
    assert "can no longer be changed" in notes.text and "<textarea" not in notes.text
    refused = eve.post(f"{base}/support-notes",
                       data={"csrf_token": csrf_token(notes.text), "knowledge": "Late."})  # fmt: skip
    assert refused.status_code == 409
    engagement = eve.get(base)
    assert f'href="{base}/completion.csv"' in engagement.text
    waiting = eve.get(f"{base}/support-handover.pdf")
    assert waiting.status_code == 202 and "is being made" in waiting.text
    markdown = eve.get(f"{base}/support-handover.md")
    assert markdown.status_code == 200 and markdown.text.startswith("# Support handover: Acme")
    assert "attachment" in markdown.headers["Content-Disposition"]
    run_jobs(app)
    pdf = eve.get(f"{base}/support-handover.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    pdf.close()  # a stored file is streamed: the response holds it open until closed
    assert eve.get(f"{base}/support-handover.html").status_code == 404


def test_sales_download_the_record_as_json_and_csv_but_not_the_notes(app: Flask) -> None:
    engagement_id = _delivered(app)
    _complete(app, engagement_id)
    sam = _client(app, SALES)
    base = f"/e/engagements/{engagement_id}"
    as_json = sam.get(f"{base}/completion.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    record = json.loads(as_json.data)
    assert record["record_version"] == 1 and record["customer"] == "Acme Health"
    assert record["days"] == {"sold": 5.0, "used": 3.5}
    assert record["services_delivered"] == ["PACS viewer", "pacs.acme.example"]
    as_csv = sam.get(f"{base}/completion.csv")
    [row] = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert (row["engagement_id"], row["days_used"], row["sessions"]) == (
        str(engagement_id), "3.5", "2"
    )  # fmt: skip
    assert sam.get(f"{base}/completion.xml").status_code == 404
    assert sam.get(f"{base}/support-notes").status_code == 403
    assert sam.get("/e/webhooks").status_code == 403


def test_admins_see_the_webhook_deliveries(app: Flask) -> None:
    _delivered(app)
    with app.app_context():
        accounts.create_user(db.session(), "ada@example.com", PASSWORD, "Ada", roles={Role.ADMIN})
    ada = _client(app, "ada@example.com")
    page = ada.get("/e/webhooks")
    assert page.status_code == 200 and "No webhook is configured" in page.text
    assert 'href="/e/webhooks">Webhook</a>' in page.text
    assert "No delivery yet." in page.text
