"""axe-core on the Customer PS Acceptance Document's page: before it is generated, generated,
with an error in the send form, and once the customer accepted it (the audit of
``test_accessibility``: serious or critical violations and repeated ids fail)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from questionnaire.services import acceptances
from questionnaire.store import db

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, _review_token, audit
from .test_engineer_browser import sign_in, worker_idle
from .test_pdr_accessibility import _accepted

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


def test_the_acceptance_document_page_has_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    engagement_id = _accepted(live_server, "Eastshire Imaging")
    page = page_for()
    sign_in(page, live_server)
    url = f"{live_server.url}/e/engagements/{engagement_id}/acceptance-document"
    page.goto(url)
    expect(page.get_by_text("It has not been generated yet")).to_be_visible()
    audit.check(page, "Acceptance document, to generate")
    page.get_by_role("button", name="Generate the document").click()
    expect(page.get_by_text("Revision 1, saved by")).to_be_visible()
    worker_idle(live_server)
    page.goto(url)
    audit.check(page, "Acceptance document, revision 1")
    page.get_by_label("Name", exact=True).fill("Jo Customer")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send revision 1 to the customer").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Acceptance document, send with an error")
    page.get_by_label("Email address").fill("jo@example.com")
    page.get_by_role("button", name="Send revision 1 to the customer").click()
    expect(page.get_by_text("is on its way to jo@example.com")).to_be_visible()
    worker_idle(live_server)
    token = _review_token(live_server, "ps_acceptance_sent")
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer PS Acceptance Document, revision 1"
    )
    audit.check(page, "The customer's review of the acceptance document")
    with live_server.app.app_context():
        form = acceptances.AcceptanceForm("Jo Customer", "Head of IT", True)
        visitor = acceptances.Visitor("203.0.113.7", "axe")
        context = live_server.app.extensions["services"]
        acceptances.accept(db.session(), context, token, form, visitor)
    worker_idle(live_server)
    page.goto(url)
    expect(page.get_by_text("Revision 1 accepted")).to_be_visible()
    audit.check(page, "Acceptance document, accepted")
