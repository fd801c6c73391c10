"""The functional tests page: the checklist of what the SoW agreed, the test form with its
evidence upload (no JavaScript), refusals with an error summary, and issuing the document."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import Role

from .customer import csrf_token, error_summary
from .engineer import PASSWORD, sign_in
from .state import run_jobs
from .test_pdr_pages import made

TESTS = "/e/engagements/1/tests"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PASSED = {"target": "virtual_service:PACS", "what_tested": "Sent a <b>study</b>",
          "expected": "It arrives", "actual": "It arrived", "outcome": "pass",
          "tested_on": "2026-12-01"}  # fmt: skip


def _post(engineer: FlaskClient, url: str, data: Mapping[str, object]) -> object:
    token = csrf_token(engineer.get(TESTS).text)
    return engineer.post(url, data={"csrf_token": token, **data},
                         content_type="multipart/form-data")  # fmt: skip


def test_the_checklist_says_what_still_needs_a_passing_test(app: Flask) -> None:
    engineer = made(app)
    assert (
        "functional tests and the customer handover document"
        in engineer.get("/e/engagements/1").text
    )
    page = engineer.get(TESTS)
    assert page.status_code == 200
    assert "Virtual service PACS" in page.text and "Needs a passing test" in page.text
    assert "It can be issued once these have a passing test" in page.text
    assert "Issue the customer handover document</button>" not in page.text
    # Each agreed service links to the form with itself chosen.
    chosen = engineer.get(TESTS, query_string={"target": "virtual_service:PACS"})
    assert '<option value="virtual_service:PACS" selected>' in chosen.text


def test_a_refused_test_has_an_error_summary_and_keeps_what_was_typed(app: Flask) -> None:
    engineer = made(app)
    refused = _post(engineer, TESTS, {**PASSED, "target": "virtual_service:nope",
                                      "outcome": "", "tested_on": "yesterday"})  # fmt: skip
    assert refused.status_code == 400  # type: ignore[attr-defined]
    summary = dict(error_summary(refused.text))  # type: ignore[attr-defined]
    assert set(summary) == {"target", "outcome", "tested_on"}
    assert "Select pass if the test passed, or fail" in summary["outcome"]
    assert "Sent a &lt;b&gt;study&lt;/b&gt;</textarea>" in refused.text  # type: ignore[attr-defined]
    empty = _post(engineer, TESTS, {**PASSED, "evidence": (io.BytesIO(b""), "shot.png")})
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert ("evidence", "The selected file is empty") in error_summary(empty.text)  # type: ignore[attr-defined]


def test_a_passing_test_with_evidence_lets_the_document_be_issued(app: Flask) -> None:
    engineer = made(app)
    early = _post(engineer, "/e/engagements/1/handover-documents", {})
    assert early.status_code == 409  # type: ignore[attr-defined]
    assert "cannot be issued until these have a passing test: Virtual service PACS" in (
        early.text  # type: ignore[attr-defined]
    )
    recorded = _post(engineer, TESTS, {**PASSED, "evidence": (io.BytesIO(PNG), "viewer.png")})
    assert recorded.status_code == 303  # type: ignore[attr-defined]
    page = engineer.get(TESTS)
    assert "The test of Virtual service PACS was recorded." in page.text
    assert "Passed" in page.text
    [evidence] = re.findall(
        r'href="(/e/engagements/1/files/[0-9a-f]{32})">viewer.png</a>', page.text
    )
    downloaded = engineer.get(evidence)
    assert downloaded.status_code == 200 and downloaded.data == PNG
    downloaded.close()
    assert "Sent a &lt;b&gt;study&lt;/b&gt;" in page.text
    issued = _post(engineer, "/e/engagements/1/handover-documents", {})
    assert issued.status_code == 303  # type: ignore[attr-defined]
    page = engineer.get(TESTS)
    assert "Customer handover document 1 was issued." in page.text and "Issue 1" in page.text
    markdown = engineer.get("/e/engagements/1/handover-documents/1/export.md")
    assert markdown.status_code == 200 and "attachment" in markdown.headers["Content-Disposition"]
    assert "| Pass | 2026-12-01 | viewer.png |" in markdown.text
    waiting = engineer.get("/e/engagements/1/handover-documents/1/export.pdf")
    assert waiting.status_code == 202 and "being prepared" in waiting.text
    run_jobs(app)
    ready = engineer.get("/e/engagements/1/handover-documents/1/export.pdf")
    assert ready.status_code == 200 and ready.data[:4] == b"%PDF"
    ready.close()


def test_a_test_is_changed_and_removed(app: Flask) -> None:
    engineer = made(app)
    _post(engineer, TESTS, PASSED)
    page = engineer.get(TESTS)
    [change] = re.findall(r'href="(/e/engagements/1/tests/\d+)"', page.text)
    form = engineer.get(change)
    assert form.status_code == 200 and "It arrived</textarea>" in form.text
    refused = _post(engineer, change, {**PASSED, "expected": ""})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert ("expected", "Enter the result you expected") in error_summary(refused.text)  # type: ignore[attr-defined]
    changed = _post(engineer, change, {**PASSED, "outcome": "fail"})
    assert changed.status_code == 303  # type: ignore[attr-defined]
    assert "Needs a passing test" in engineer.get(TESTS).text
    removed = _post(engineer, f"{change}/remove", {})
    assert removed.status_code == 303  # type: ignore[attr-defined]
    assert "No functional test has been recorded yet." in engineer.get(TESTS).text
    assert engineer.get(change).status_code == 404
    assert _post(engineer, f"{change}/remove", {}).status_code == 404  # type: ignore[attr-defined]


def test_forged_and_missing_things_are_4xx(app: Flask) -> None:
    engineer = made(app)
    assert engineer.get("/e/engagements/1/handover-documents/1/export.md").status_code == 404
    assert engineer.get("/e/engagements/1/handover-documents/1/export.exe").status_code == 404
    assert engineer.get("/e/engagements/99/tests").status_code == 404
    assert engineer.get("/e/engagements/1/tests/99999999999").status_code == 404
    no_token = engineer.post(TESTS, data=PASSED)
    assert no_token.status_code == 400


def test_sales_may_not_see_or_record_tests(app: Flask) -> None:
    made(app)
    with app.app_context():
        accounts.create_user(db.session(), "sam@example.com", PASSWORD, "Sam", roles={Role.SALES})
    sales = app.test_client()
    assert sign_in(sales, email="sam@example.com").status_code == 302
    assert sales.get(TESTS).status_code == 403
    assert "functional_tests_page" not in sales.get("/e/engagements").text
