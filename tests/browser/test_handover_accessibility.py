"""axe-core on the functional tests page (empty, with errors, with a test and an issued
document) and the change form (the audit of ``test_accessibility``:
serious or critical violations and repeated ids fail)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from questionnaire.services import pdr_desk
from questionnaire.store import db

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, _assert_no_serious, audit
from .test_engineer_browser import EMAIL, sign_in
from .test_pdr_accessibility import _accepted

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _record(page: Page, index: int, *, evidence: bool = False) -> None:
    """Record a passing test of the ``index``-th target the form offers."""
    page.get_by_label("Virtual service or GSLB configuration tested").select_option(index=index)
    page.get_by_label("What was tested").fill("Opened the viewer")
    page.get_by_label("Expected result").fill("It opens")
    page.get_by_label("Actual result").fill("It opened")
    page.get_by_label("Pass", exact=True).check()
    page.get_by_label("Date of the test").fill("2026-12-01")
    if evidence:
        page.get_by_label("Evidence (optional)").set_input_files(
            {"name": "viewer.png", "mimeType": "image/png", "buffer": PNG}
        )
    page.get_by_role("button", name="Record the test").click()
    expect(page.get_by_text("was recorded")).to_be_visible()


def test_functional_test_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    engagement_id = _accepted(live_server, "Eastshire Imaging")
    page = page_for()
    sign_in(page, live_server)
    tests_url = f"{live_server.url}/e/engagements/{engagement_id}/tests"
    page.goto(tests_url)
    expect(page.get_by_text("There is no Project Detail Record yet")).to_be_visible()
    audit.check(page, "Functional tests before the PDR")
    with live_server.app.app_context():
        pdr_desk.create(db.session(), engagement_id, EMAIL)

    page.goto(tests_url)
    expect(page.get_by_text("Needs a passing test").first).to_be_visible()
    audit.check(page, "Functional tests, none recorded")
    page.get_by_role("button", name="Record the test").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Record a functional test with errors")
    _record(page, 1, evidence=True)
    audit.check(page, "Functional tests, one recorded")
    page.get_by_role("link", name="Change").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the functional test")
    audit.check(page, "Change a functional test")

    page.goto(tests_url)
    options = page.locator("#target option").count()
    for index in range(2, options):  # a passing test of every other service too
        _record(page, index)
    page.get_by_role("button", name="Issue the customer handover document").click()
    expect(page.get_by_text("was issued")).to_be_visible()
    audit.check(page, "Functional tests with an issued document")
    _assert_no_serious(audit)
