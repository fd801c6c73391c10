"""axe-core on close-out's pages: the support notes form (empty, with errors, saved, closed at
completion), the support handover document's waiting page and the admins' webhook list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from questionnaire.services import accounts, closeout
from questionnaire.store import db
from questionnaire.store.models import Role

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, _assert_no_serious, audit
from .test_engineer_browser import PASSWORD, sign_in, submitted_engagement, worker_idle

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name
ADMIN = "ada@example.com"


def test_closeout_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    engagement_id = submitted_engagement(live_server, "Eastshire Imaging")
    worker_idle(live_server)
    with live_server.app.app_context():
        accounts.create_user(db.session(), ADMIN, PASSWORD, "Ada", roles={Role.ADMIN})
    page = page_for()
    sign_in(page, live_server)
    base = f"{live_server.url}/e/engagements/{engagement_id}"
    page.goto(f"{base}/support-notes")
    audit.check(page, "Notes for support")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Notes for support with errors")
    page.get_by_label("How we connected to the system").fill("TeamViewer with Jo.")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.get_by_text("Support notes saved.")).to_be_visible()
    audit.check(page, "Notes for support, saved")
    page.goto(f"{base}/support-handover.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "There is no support handover document yet"
    )
    audit.check(page, "Support handover document, not yet")
    context = live_server.app.extensions["services"]
    with live_server.app.app_context():
        closeout.on_acceptance_document_accepted(db.session(), context, engagement_id, "jo@x.test")
        db.session().commit()
    page.goto(f"{base}/support-notes")
    expect(page.get_by_text("can no longer be changed")).to_be_visible()
    audit.check(page, "Notes for support, closed")

    admin = page_for()
    admin.goto(f"{live_server.url}/e/login")
    admin.get_by_label("Email address").fill(ADMIN)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.goto(f"{live_server.url}/e/webhooks")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Completion webhook")
    audit.check(admin, "Completion webhook")
    worker_idle(live_server)
    _assert_no_serious(audit)
