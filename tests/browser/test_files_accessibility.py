"""axe-core on an engagement's Files page: empty, with a file, with errors, and on hold (the
audit of ``test_accessibility``: serious or critical violations and repeated ids fail)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.services.files_support import LOG

from .conftest import LiveServer, PageFor
from .test_accessibility import AxeAudit, audit
from .test_engineer_browser import sign_in, submitted_engagement, worker_idle

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


def test_files_page_has_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit, tmp_path: Path
) -> None:
    engagement_id = submitted_engagement(live_server, "Eastshire Imaging")
    worker_idle(live_server)
    page = page_for()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    page.get_by_role("link", name="Files of the engagement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Files")
    audit.check(page, "Files, none yet")

    page.get_by_role("button", name="Add the file").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Files, upload with errors")

    log = tmp_path / "haproxy.log"
    log.write_bytes(LOG)
    page.get_by_label("File", exact=True).set_input_files(log)
    page.get_by_label("From the customer").check()  # the keyboard reaches it as a radio
    page.get_by_label("Description (optional)").fill("Logs from the second session")
    page.get_by_role("button", name="Add the file").click()
    expect(page.get_by_text("haproxy.log added.")).to_be_visible()
    audit.check(page, "Files, with a file")

    page.get_by_role("button", name="Put the files on hold").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "Files, hold with errors")
    page.get_by_label("Why the files must be kept").fill("An audit")
    page.get_by_role("button", name="Put the files on hold").click()
    expect(page.get_by_text("On hold: not deleted.").first).to_be_visible()
    audit.check(page, "Files, on hold")
