"""The PDR pages and the implementation sessions page: forms without JavaScript, errors with a
summary and what was typed, conflicts, revisions, diffs, exports, and the board's move."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from questionnaire.store import db
from questionnaire.store.delivery import PdrExport
from questionnaire.store.models import Engagement, ExportStatus, Job, JobStatus, PipelineStage

from .customer import csrf_token
from .sow_review_flow import accept, drafted, sent
from .state import run_jobs

PDR = "/e/engagements/1/pdr"
SESSIONS = "/e/engagements/1/sessions"
WEB = {"name": "web", "vip": "10.0.0.10", "ports": "80, 443", "protocol": "https"}


def accepted(app: Flask) -> FlaskClient:
    """Engagement 1 with its SoW accepted; Eve signed in (her client)."""
    engineer = drafted(app)
    token = sent(app, engineer)
    assert accept(app.test_client(), token).status_code == 303
    return engineer


def made(app: Flask) -> FlaskClient:
    engineer = accepted(app)
    page = engineer.get(PDR)
    assert "Make the PDR from the accepted SoW" in page.text
    created = engineer.post(PDR, data={"csrf_token": csrf_token(page.text)})
    assert created.status_code == 303
    return engineer


def post_row(
    engineer: FlaskClient, at: str, fields: dict[str, str], edited_from: str = ""
) -> object:
    form = engineer.get(f"{PDR}/row", query_string={"at": at})
    assert form.status_code == 200, form.text
    number = edited_from or re.findall(r'name="edited_from" value="(\d+)"', form.text)[0]
    data = {"csrf_token": csrf_token(form.text), "at": at, "edited_from": number, **fields}
    return engineer.post(f"{PDR}/row", data=data)


def _stage(app: Flask) -> str:
    with app.app_context():
        return db.session().scalars(select(Engagement.pipeline_stage)).one()


def test_no_pdr_before_the_sow_is_accepted(app: Flask) -> None:
    engineer = drafted(app)
    page = engineer.get(PDR)
    assert page.status_code == 200 and "has not accepted it yet" in page.text
    assert "Make the PDR" not in page.text
    refused = engineer.post(PDR, data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 409
    assert "has not accepted the Statement of Work yet" in refused.text


def test_the_pdr_starts_from_the_sow_and_rows_are_added_changed_and_removed(app: Flask) -> None:
    engineer = made(app)
    page = engineer.get(PDR)
    assert "Revision 1, saved by eve@example.com" in page.text
    assert "PACS" in page.text and "(proposed)" in page.text and "Confirm or change" in page.text
    added = post_row(engineer, "virtual_services.new", WEB)
    assert added.status_code == 303  # type: ignore[attr-defined]
    page = engineer.get(PDR)
    assert "Added virtual service “web”: saved as revision 2." in page.text
    assert "80, 443" in page.text and "Real servers of web" in page.text
    server = post_row(engineer, "virtual_services.1.real_servers.new", {"address": "10.0.1.1"})
    assert server.status_code == 303  # type: ignore[attr-defined]
    page = engineer.get(PDR)
    removed = engineer.post(f"{PDR}/remove", data={"csrf_token": csrf_token(page.text),
                                                   "at": "virtual_services.0", "edited_from": "3"})  # fmt: skip
    assert removed.status_code == 303
    page = engineer.get(PDR)
    assert "Removed virtual service “PACS”: saved as revision 4." in page.text
    diff = engineer.get(f"{PDR}/diff", query_string={"from": "1", "to": "4"})
    assert diff.status_code == 200
    assert "Virtual services / “web” / Ports" in diff.text and "Removed" in diff.text
    revision = engineer.get(f"{PDR}/revisions/3")
    assert revision.status_code == 200 and "10.0.1.1" in revision.text


def test_a_refused_row_has_an_error_summary_and_keeps_what_was_typed(app: Flask) -> None:
    engineer = made(app)
    typed = {**WEB, "name": "<script>alert(1)</script>", "vip": "10.0.0.999", "ports": "http"}
    refused = post_row(engineer, "virtual_services.new", typed)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert 'class="error-summary"' in text
    assert '<a href="#vip">Enter an IP address, like 192.0.2.10 or 2001:db8::10</a>' in text
    assert '<a href="#ports">Enter ports between 1 and 65535' in text
    assert 'value="10.0.0.999"' in text and 'value="http"' in text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    nul = post_row(engineer, "virtual_services.new", {**WEB, "name": "a\x00b"})
    assert nul.status_code == 400  # type: ignore[attr-defined]
    assert "Remove the unusual characters" in nul.text  # type: ignore[attr-defined]


def test_a_stale_row_form_gets_a_conflict_with_its_values_kept(app: Flask) -> None:
    engineer = made(app)
    assert post_row(engineer, "virtual_services.new", WEB).status_code == 303  # type: ignore[attr-defined]
    stale = post_row(engineer, "ha.new", {"name": "lb1"}, edited_from="1")
    assert stale.status_code == 409  # type: ignore[attr-defined]
    assert "Someone saved a newer revision" in stale.text  # type: ignore[attr-defined]
    assert 'value="lb1"' in stale.text and 'name="edited_from" value="2"' in stale.text  # type: ignore[attr-defined]


def test_forged_locations_and_revisions_are_4xx(app: Flask) -> None:
    engineer = made(app)
    assert engineer.get(f"{PDR}/row", query_string={"at": "nope.new"}).status_code == 404
    assert engineer.get(f"{PDR}/row", query_string={"at": "virtual_services.9"}).status_code == 404
    page = engineer.get(PDR)
    token = csrf_token(page.text)
    gone = engineer.post(
        f"{PDR}/remove", data={"csrf_token": token, "at": "ha.5", "edited_from": "1"}
    )
    assert gone.status_code == 404
    bad = engineer.post(
        f"{PDR}/row", data={"csrf_token": token, "at": "ha.new", "edited_from": "x"}
    )
    assert bad.status_code == 400
    assert engineer.get(f"{PDR}/revisions/9").status_code == 404
    assert engineer.get(f"{PDR}/diff", query_string={"from": "1", "to": "٢"}).status_code == 400
    assert engineer.get(f"{PDR}/revisions/1/export.exe").status_code == 404


def test_exports_wait_for_the_worker_and_markdown_is_at_once(app: Flask) -> None:
    engineer = made(app)
    markdown = engineer.get(f"{PDR}/revisions/1/export.md")
    assert markdown.status_code == 200
    assert markdown.headers["Content-Disposition"] == 'attachment; filename="PDR-Acme-Health-r1.md"'
    assert markdown.data.startswith(b"# Project Detail Record for Acme Health")
    waiting = engineer.get(f"{PDR}/revisions/1/export.pdf")
    assert waiting.status_code == 202 and "is being prepared" in waiting.text
    run_jobs(app)
    pdf = engineer.get(f"{PDR}/revisions/1/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    pdf.close()  # a stored file is streamed: the response holds it open until closed


def test_a_failed_export_says_why_and_can_be_tried_again(app: Flask) -> None:
    engineer = made(app)
    run_jobs(app)
    with app.app_context():  # as the worker leaves a render that gave up
        session = db.session()
        session.execute(
            update(PdrExport).where(PdrExport.format == "pdf")
            .values(status=ExportStatus.FAILED, error="it took longer than 120 seconds")
        )  # fmt: skip
        session.execute(
            update(Job)
            .where(Job.dedupe_key.like("pdr.export%:pdf"))
            .values(status=JobStatus.FAILED)
        )
        session.commit()
    failed = engineer.get(f"{PDR}/revisions/1/export.pdf")
    assert failed.status_code == 409 and "could not be made" in failed.text
    assert "it took longer than 120 seconds" in failed.text and ">Try again</button>" in failed.text
    again = engineer.post(
        f"{PDR}/revisions/1/export.pdf", data={"csrf_token": csrf_token(failed.text)}
    )
    assert again.status_code == 302
    waiting = engineer.get(f"{PDR}/revisions/1/export.pdf")
    assert waiting.status_code == 202 and "is being prepared" in waiting.text
    assert [(o.kind, o.ok) for o in run_jobs(app)] == [("pdr.export", True)]
    pdf = engineer.get(f"{PDR}/revisions/1/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()


def test_recording_sessions_moves_the_card_and_says_what_is_next(app: Flask) -> None:
    engineer = made(app)
    assert _stage(app) == PipelineStage.PLANNED
    page = engineer.get(SESSIONS)
    assert page.status_code == 200 and "No session has been recorded yet." in page.text
    assert '<legend class="fieldset__legend">Complete?</legend>' in page.text
    token = csrf_token(page.text)
    refused = engineer.post(SESSIONS, data={"csrf_token": token, "held_on": "30/11/2026",
                                            "days_used": "1.25", "notes": "Built it <b>"})  # fmt: skip
    assert refused.status_code == 400
    assert '<a href="#held_on">Enter a date in the format 2026-11-30</a>' in refused.text
    assert (
        '<a href="#complete">Select yes if the implementation is complete, or no</a>'
        in refused.text
    )
    assert "Built it &lt;b&gt;</textarea>" in refused.text
    assert '<a href="#days_used">Enter the days used in half days, such as 1 or 1.5</a>' in (
        refused.text
    )
    assert 'name="days_used" type="text" inputmode="decimal" spellcheck="false" value="1.25"' in (
        refused.text
    )
    assert "Select the engineer who held the session" in refused.text
    eve = re.findall(r'<option value="(\d+)" selected>Eve Engineer', page.text)[0]
    base = {"csrf_token": token, "held_on": "2026-12-01", "engineer_id": eve, "notes": "VIPs.",
            "days_used": "1"}  # fmt: skip
    first = engineer.post(SESSIONS, data={**base, "complete": "no"}, follow_redirects=True)
    assert "the engagement is in progress. Send the customer a booking link" in first.text
    assert _stage(app) == PipelineStage.IN_PROGRESS
    second = engineer.post(SESSIONS, data={**base, "complete": "yes"}, follow_redirects=True)
    assert "validation by the customer is next" in second.text
    assert second.text.count("Entered by hand</td>") == 2
    assert second.text.count("<td>1</td>") == 2  # days used


def test_a_change_to_a_row_removed_meanwhile_keeps_what_was_typed(app: Flask) -> None:
    engineer = made(app)
    page = engineer.get(PDR)
    removed = engineer.post(f"{PDR}/remove", data={"csrf_token": csrf_token(page.text),
                                                   "at": "virtual_services.0", "edited_from": "1"})  # fmt: skip
    assert removed.status_code == 303
    stale = engineer.post(f"{PDR}/row", data={"csrf_token": csrf_token(page.text),
                                              "at": "virtual_services.0", "edited_from": "1",
                                              "name": "PACS viewer"})  # fmt: skip
    assert stale.status_code == 409
    assert 'value="PACS viewer"' in stale.text
    assert "was removed in revision 2, so saving adds it again" in stale.text
    assert 'name="at" value="virtual_services.new"' in stale.text
