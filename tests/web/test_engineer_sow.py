"""An engineer finds a submitted engagement, reads the answers, finishes the SoW and exports it."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from questionnaire import create_app
from questionnaire.store import db
from questionnaire.store.models import AuditEvent, SowRevision
from tests.conftest import ROOT, app_config

from .customer import Customer, csrf_token, invite
from .engineer import log_in, make_engineer, post
from .state import dump, run_jobs


def submitted(app: Flask, customer: str = "Acme Health") -> tuple[Customer, FlaskClient]:
    visitor = Customer(app.test_client(), invite(app, customer=customer))
    visitor.complete_small(fabric="cisco_aci")
    assert visitor.submit().status_code == 302
    run_jobs(app)  # the worker pre-fills the draft and renders its exports
    make_engineer(app)
    return visitor, log_in(app)


def test_submission_pre_fills_one_draft_with_placeholders(app: Flask) -> None:
    _, engineer = submitted(app)
    listing = engineer.get("/e/?stage=submitted")
    assert "Acme Health" in listing.text and "Submitted" in listing.text
    engagement = engineer.get("/e/engagements/1")
    assert engagement.status_code == 200
    assert "Network team" in engagement.text  # an answer, grouped by page
    assert "Open the SoW" in engagement.text
    sow = engineer.get("/e/engagements/1/sow")
    assert sow.status_code == 200
    assert "To confirm on the discovery call" in sow.text
    assert "[To confirm on the discovery call: SoW number]" in sow.text  # the placeholder, marked
    assert "Where the pre-filled values came from" in sow.text
    with app.app_context():
        session = db.session()
        assert session.scalar(select(func.count()).select_from(SowRevision)) == 1
        assert session.scalar(select(func.count()).where(AuditEvent.action == "sow.generate")) == 1


def test_edit_save_revisions_and_diff(app: Flask) -> None:
    _, engineer = submitted(app)
    page = engineer.get("/e/engagements/1/sow")
    markdown = re.search(r'<textarea[^>]*id="markdown"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert markdown
    edited = markdown.group(1).replace("&#34;", '"') + "\n\nAgreed on the call: two-arm.\n"
    saved = engineer.post(
        "/e/engagements/1/sow",
        data={
            "csrf_token": csrf_token(page.text),
            "markdown": edited,
            "edited_from": "1",
            "note": "after the call",
        },
    )
    assert saved.status_code == 302
    again = engineer.post(  # a second tab still editing revision 1
        "/e/engagements/1/sow",
        data={"csrf_token": csrf_token(page.text), "markdown": "stale", "edited_from": "1"},
    )
    assert again.status_code == 409 and "Someone saved a newer revision" in again.text
    assert "stale" in again.text  # the stale text is kept in the editor
    current = engineer.get("/e/engagements/1/sow")
    assert "Revision 2 (Markdown)" in current.text and "after the call" in current.text
    diff = engineer.get("/e/engagements/1/sow/diff?from=1&to=2")
    assert (
        diff.status_code == 200
        and "Agreed on the call: two-arm." in diff.text
        and "diff__added" in diff.text
    )
    assert engineer.get("/e/engagements/1/sow/revisions/2").status_code == 200
    assert engineer.get("/e/engagements/1/sow/revisions/9").status_code == 404
    assert engineer.get("/e/engagements/1/sow/diff?from=x&to=2").status_code == 400


def test_sent_and_the_one_revision_rule(app: Flask) -> None:
    _, engineer = submitted(app)
    url = "/e/engagements/1/sow"
    assert post(engineer, url, "/e/engagements/1/sow/revisions/1/sent").status_code == 302  # type: ignore[attr-defined]
    assert "sent to the customer" in engineer.get(url).text
    first = post(engineer, url, "/e/engagements/1/sow/requests", {"note": "Add the DR site"})
    assert first.status_code == 302  # type: ignore[attr-defined]
    assert "Revision request recorded." in engineer.get(url).text
    post(engineer, url, "/e/engagements/1/sow/requests", {"note": "Change the VIPs again"})
    warned = engineer.get(url).text
    assert "This is revision request 2" in warned and "suggest another discovery call" in warned


def test_exports_carry_the_same_content_and_escape_markup(app: Flask) -> None:
    visitor = Customer(app.test_client(), invite(app, customer="<script>alert(1)</script> Health"))
    visitor.complete_small()
    visitor.submit()
    run_jobs(app)
    make_engineer(app)
    engineer = log_in(app)
    responses: dict[str, Any] = {}
    for fmt in ("md", "html", "pdf", "docx"):
        response = engineer.get(f"/e/engagements/1/sow/revisions/1/export.{fmt}")
        assert response.status_code == 200, fmt
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=")
        assert f"SoW-script-alert-1-script-Health-r1.{fmt}" in disposition
        responses[fmt] = response
    assert "\\<script\\>" in responses["md"].text
    assert "<script>" not in responses["html"].text and "&lt;script&gt;" in responses["html"].text
    assert responses["pdf"].data.startswith(b"%PDF")
    assert responses["docx"].data.startswith(b"PK")
    for response in responses.values():
        response.close()
    assert engineer.get("/e/engagements/1/sow/revisions/1/export.exe").status_code == 404


def test_exports_are_rendered_once_by_the_worker_and_a_download_changes_nothing(
    app: Flask,
) -> None:
    _, engineer = submitted(app)
    sow_page = engineer.get("/e/engagements/1/sow").text
    post(engineer, "/e/engagements/1/sow", "/e/engagements/1/sow",
         {"markdown": "# SoW\n\nEdited", "edited_from": "1"})  # fmt: skip
    waiting = engineer.get("/e/engagements/1/sow/revisions/2/export.pdf")
    assert waiting.status_code == 202 and "is being prepared" in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text
    before = dump(app)
    for _ in range(2):
        assert engineer.get("/e/engagements/1/sow/revisions/2/export.pdf").status_code == 202
    assert dump(app) == before  # a GET renders nothing and records nothing
    ran = run_jobs(app)
    assert sorted(o.kind for o in ran) == ["export.render"] * 3 and all(o.ok for o in ran)
    pdf = engineer.get("/e/engagements/1/sow/revisions/2/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()  # a stored file is streamed: the response holds it open until closed
    assert dump(app) == {**before, "jobs": dump(app)["jobs"], "exports": dump(app)["exports"]}
    assert "being prepared" not in sow_page  # revision 1's exports were ready already
    assert run_jobs(app) == []  # each format of each revision is rendered once


def test_create_engagement_reissue_and_revoke(app: Flask) -> None:
    make_engineer(app)
    engineer = log_in(app)
    page = engineer.get("/e/engagements/new")
    bad = engineer.post(
        "/e/engagements/new", data={"csrf_token": csrf_token(page.text), "customer": ""}
    )
    assert bad.status_code == 400 and "Enter the customer" in bad.text
    created = engineer.post(
        "/e/engagements/new",
        data={
            "csrf_token": csrf_token(page.text),
            "customer": "Beta Storage",
            "definition": "small",
            "expires_days": "7",
        },
    )
    assert created.status_code == 200
    first = re.search(r"https://questionnaire\.example\.com(/r/[^/<]+/)", created.text)
    assert first
    customer = app.test_client()
    assert customer.get(first.group(1)).status_code == 200
    reissued = post(engineer, "/e/engagements/1", "/e/engagements/1/links")
    second = re.search(r"https://questionnaire\.example\.com(/r/[^/<]+/)", reissued.text)  # type: ignore[attr-defined]
    assert second and second.group(1) != first.group(1)
    assert customer.get(first.group(1)).status_code == 410
    assert customer.get(second.group(1)).status_code == 200
    post(engineer, "/e/engagements/1", "/e/engagements/1/links/2/revoke")
    assert customer.get(second.group(1)).status_code == 410
    assert post(engineer, "/e/engagements/1", "/e/engagements/1/links/99/revoke").status_code == 404  # type: ignore[attr-defined]


def test_search_filters_and_pages(app: Flask) -> None:
    make_engineer(app)
    for n in range(30):
        invite(app, customer=f"Customer {n:02d}")
    invite(app, customer="Zebra Imaging")
    engineer = log_in(app)
    first = engineer.get("/e/")
    assert "31 engagements" in first.text and 'rel="prev"' not in first.text
    assert "Zebra Imaging" in first.text and "Customer 06" in first.text  # newest first
    assert "Customer 05" not in first.text
    after = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert after
    second = engineer.get(unescape(after.group(1)))
    assert "Customer 05" in second.text and "Customer 00" in second.text
    assert "Customer 06" not in second.text and 'rel="next"' not in second.text
    before = re.search(r'rel="prev" href="([^"]+)"', second.text)
    assert before
    back = engineer.get(unescape(before.group(1)))
    assert "Zebra Imaging" in back.text and "Customer 06" in back.text
    assert "Customer 05" not in back.text and 'rel="prev"' not in back.text
    found = engineer.get("/e/?q=zebra")
    assert "1 engagement" in found.text and "Zebra Imaging" in found.text
    assert "0 engagements" in engineer.get("/e/?stage=submitted").text
    assert "31 engagements" in engineer.get("/e/?stage=invited").text


def test_facts_are_saved_and_used_by_the_pre_fill(app: Flask) -> None:
    _, engineer = submitted(app)
    url = "/e/engagements/1"
    post(engineer, url, "/e/engagements/1/facts", {"sow_number": "SOW-2026-042", "project": "PACS"})
    post(engineer, url, "/e/engagements/1/sow/generate")
    assert "being pre-filled" in engineer.get(url).text
    run_jobs(app)
    sow = engineer.get("/e/engagements/1/sow")
    assert "SOW-2026-042" in sow.text and "Revision 2 (Markdown)" in sow.text


def test_markup_in_answers_and_names_is_text_in_every_engineer_view(app: Flask) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    visitor = Customer(app.test_client(), invite(app, customer=payload))
    assert visitor.start().status_code == 302
    visitor.answer("about", {"organisation": payload, "fabric": "traditional", "has_hld": "no"})
    visitor.add_record("services", "services", {"name": payload, "protocol": "tcp", "port": "104"})
    visitor.answer("services", {})
    visitor.answer("last", {"notes": payload})
    assert visitor.submit().status_code == 302
    run_jobs(app)  # the worker pre-fills the draft and renders its exports
    make_engineer(app)
    engineer = log_in(app)
    for url in (
        "/e/",
        "/e/engagements/1",
        "/e/engagements/1/sow",
        "/e/engagements/1/sow/revisions/1",
    ):
        page = engineer.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text, url
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            or "\\&lt;script\\&gt;" in page.text
        ), url


def test_the_engagement_page_shows_the_facts_the_customer_answered(
    database_url: str, tmp_path: Path
) -> None:
    """The SoW fills a fact the engineer left empty from the customer's answer: so does the page."""
    app = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(ROOT / "definitions")))
    try:
        visitor = Customer(app.test_client(), invite(app, definition="pre_discovery"))
        visitor.start()
        visitor.answer("commercial", {
            "ps_days_sold": "3", "contract_date": "2026-03-02", "purchase_order": "PO-48213",
            "quote_number": "Q-2026-0117", "services_lead": "Sam Patel",
            "commercial_confirmed": "yes",
        })  # fmt: skip
        make_engineer(app)
        engineer = log_in(app)
        url = "/e/engagements/1"
        post(engineer, url, "/e/engagements/1/facts", {"quote_number": "Q-RECORDED"})
        page = engineer.get(url).text
        assert "The SoW uses the customer&#39;s answer: <strong>PO-48213</strong>" in page
        assert 'id="quote_number" name="quote_number" value="Q-RECORDED"' in page
        assert 'id="quote_number-hint"' not in page  # the fact recorded wins, as in the SoW
    finally:
        app.extensions["db_engine"].dispose()
