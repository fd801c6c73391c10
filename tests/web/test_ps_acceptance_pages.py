"""The Customer PS Acceptance Document's page: generate, edit, download, send, and follow the
customer through the SoW's own review page to the acceptance and its record."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from .customer import csrf_token
from .sow_review_flow import CONTACT, accept, ask_for_changes, latest_token
from .state import run_jobs
from .test_pdr_pages import accepted

ENGAGEMENT = "/e/engagements/1"
PAGE = f"{ENGAGEMENT}/acceptance-document"


def _generated(app: Flask) -> FlaskClient:
    engineer = accepted(app)
    page = engineer.get(PAGE)
    assert page.status_code == 200 and "It has not been generated yet" in page.text
    made = engineer.post(f"{PAGE}/generate", data={"csrf_token": csrf_token(page.text)})
    assert made.status_code == 302
    run_jobs(app)
    return engineer


def _send(engineer: FlaskClient, number: int, **fields: str) -> Any:
    page = engineer.get(PAGE)
    data = {"csrf_token": csrf_token(page.text), "to_name": CONTACT[0], "to_address": CONTACT[1]}
    return engineer.post(f"{PAGE}/revisions/{number}/send", data={**data, **fields})


def test_the_engagement_page_links_to_the_document(app: Flask) -> None:
    engineer = accepted(app)
    page = engineer.get(ENGAGEMENT)
    assert f'href="{PAGE}"' in page.text and "Not generated yet." in page.text


def test_the_engineer_generates_edits_and_sends_it_and_the_customer_accepts_it(
    app: Flask,
) -> None:
    engineer = _generated(app)
    page = engineer.get(PAGE)
    assert "Revision 1, saved by eve@example.com" in page.text
    assert "What the Statement of Work agreed" in page.text
    edited = re.findall(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S)[0]
    saved = engineer.post(PAGE, data={"csrf_token": csrf_token(page.text), "edited_from": "1",
                                      "markdown": edited + "\nSigned off on site.\n"})  # fmt: skip
    assert saved.status_code == 302
    run_jobs(app)
    refused = _send(engineer, 2, to_address="not an address")
    assert refused.status_code == 400
    assert "Enter an email address in the correct format" in refused.text
    assert 'value="not an address"' in refused.text
    assert _send(engineer, 2).status_code == 302
    run_jobs(app)
    token = latest_token(app, "ps_acceptance_sent")
    awaiting = "Revision 2 sent to the customer, awaiting their acceptance."
    assert awaiting in engineer.get(ENGAGEMENT).text
    customer = app.test_client()
    review = customer.get(f"/s/{token}/")
    assert review.status_code == 200
    assert "Customer PS Acceptance Document, revision 2" in review.text
    assert "Signed off on site." in review.text
    with customer.get(f"/s/{token}/sow.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert "PS-Acceptance-Acme-Health-r2.pdf" in pdf.headers["Content-Disposition"]
    asked = ask_for_changes(customer, token, comment="Spell our name right")
    assert asked.status_code == 303
    assert "Spell our name right" in engineer.get(PAGE).text
    assert "The customer asked for changes to revision 2." in engineer.get(ENGAGEMENT).text
    form = customer.get(f"/s/{token}/accept")
    assert "I may accept this Customer PS Acceptance Document on behalf of Acme Health" in form.text
    assert accept(customer, token).status_code == 303
    done = customer.get(f"/s/{token}/")
    assert "Customer PS Acceptance Document accepted" in done.text
    assert "handed your engagement over to our support team" in done.text
    run_jobs(app)
    status = engineer.get(PAGE)
    assert "Revision 2 accepted" in status.text and "The engagement is complete." in status.text
    assert "Generate again" not in status.text and 'name="markdown"' not in status.text
    assert "Revision 2 accepted by Jo Customer (Head of IT) on" in engineer.get(ENGAGEMENT).text
    with engineer.get(f"{PAGE}/acceptance.pdf") as record:
        assert record.status_code == 200 and record.data.startswith(b"%PDF")


def test_an_empty_edit_is_refused_with_its_message_and_nothing_is_saved(app: Flask) -> None:
    engineer = _generated(app)
    page = engineer.get(PAGE)
    refused = engineer.post(PAGE, data={"csrf_token": csrf_token(page.text), "edited_from": "1",
                                        "markdown": "   "})  # fmt: skip
    assert refused.status_code == 400 and "The document must have some text" in refused.text
    assert 'href="#markdown"' in refused.text  # the error summary points at the field
    assert "Revision 1, saved by" in engineer.get(PAGE).text


def test_downloads_are_served_and_unknown_ones_are_404(app: Flask) -> None:
    engineer = _generated(app)
    markdown = engineer.get(f"{PAGE}/revisions/1/export.md")
    assert markdown.status_code == 200 and b"# Customer PS Acceptance Document" in markdown.data
    with engineer.get(f"{PAGE}/revisions/1/export.pdf") as pdf:
        assert pdf.status_code == 200
    assert engineer.get(f"{PAGE}/revisions/9/export.pdf").status_code == 404
    assert engineer.get(f"{PAGE}/revisions/1/export.exe").status_code == 404
    assert engineer.get(f"{PAGE}/acceptance.pdf").status_code == 404  # not accepted yet
