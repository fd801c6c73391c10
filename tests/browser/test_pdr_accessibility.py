"""axe-core on the Project Detail Record and implementation sessions pages, with and without
errors (the audit of ``test_accessibility``: serious or critical violations and repeated ids
fail)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from questionnaire.services import acceptances, review_links
from questionnaire.store import db

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, _assert_no_serious, _review_token, audit
from .test_engineer_browser import EMAIL, open_sow, sign_in, submitted_engagement, worker_idle

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


def _accepted(live_server: LiveServer, customer: str) -> int:
    """A submitted engagement whose SoW revision 1 was sent and accepted (through the use
    cases: the pages of that are audited elsewhere)."""
    engagement_id = submitted_engagement(live_server, customer)
    worker_idle(live_server)  # the pre-fill: SoW revision 1
    context = live_server.app.extensions["services"]
    with live_server.app.app_context():
        review_links.send(db.session(), engagement_id, 1, "Jo Customer", "jo@example.com", EMAIL)
    token = _review_token(live_server)
    with live_server.app.app_context():
        form = acceptances.AcceptanceForm("Jo Customer", "Head of IT", True)
        visitor = acceptances.Visitor("203.0.113.7", "axe")
        acceptances.accept(db.session(), context, token, form, visitor)
    worker_idle(live_server)
    return engagement_id


def test_pdr_and_session_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    # Both made before signing in: making an engagement here sets the engineer's account up
    # again, which signs it out.
    waiting = submitted_engagement(live_server, "Northshire Imaging")
    engagement_id = _accepted(live_server, "Southshire Imaging")
    page = page_for()
    sign_in(page, live_server)
    open_sow(page, live_server, waiting)
    page.goto(f"{live_server.url}/e/engagements/{waiting}/pdr")
    expect(page.get_by_text("has not accepted it yet")).to_be_visible()
    audit.check(page, "PDR before the SoW is accepted")

    pdr_url = f"{live_server.url}/e/engagements/{engagement_id}/pdr"
    page.goto(pdr_url)
    audit.check(page, "PDR, to make")
    page.get_by_role("button", name="Make the PDR from the accepted SoW").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Project Detail Record")
    audit.check(page, "PDR")
    page.get_by_role("link", name="Add a virtual service").first.click()
    page.get_by_label("Name", exact=True).fill("web")
    page.get_by_label("Virtual IP address (VIP) (optional)").fill("10.0.0.999")
    page.get_by_role("button", name="Add the virtual service").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "PDR row with errors")
    page.get_by_label("Virtual IP address (VIP) (optional)").fill("10.0.0.10")
    page.get_by_label("Protocol (optional)").select_option("https")
    page.get_by_role("button", name="Add the virtual service").click()
    expect(page.get_by_text("saved as revision 2")).to_be_visible()
    audit.check(page, "PDR with two revisions")
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from revision 1 to 2")
    audit.check(page, "PDR diff")
    page.goto(f"{pdr_url}/revisions/2")
    audit.check(page, "PDR revision")

    page.goto(f"{live_server.url}/e/engagements/{engagement_id}/sessions")
    audit.check(page, "Implementation sessions")
    page.get_by_role("button", name="Record the session").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Record a session with errors")
    page.get_by_label("Date of the session").fill("2026-12-01")
    page.get_by_label("Days used").fill("1.5")
    page.get_by_label("What was done").fill("Built the VIPs.")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Session recorded: the engagement is in progress")).to_be_visible()
    audit.check(page, "Implementation sessions after one")
    _assert_no_serious(audit)
