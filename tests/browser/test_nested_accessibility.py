"""axe-core on a service's page listing its real servers, a real server's own page (empty,
with errors, filled) and the confirmation of removing one (issue 12: nested records)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import flows
from .conftest import PageFor
from .helpers import fill_record, on_page
from .test_accessibility import AxeAudit, _assert_no_serious, audit

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


def test_nested_record_pages_have_no_serious_violations(
    page_for: PageFor, customer_url: str, audit: AxeAudit
) -> None:
    # axe runs in the page, so with JavaScript; the pages without it are walked in
    # tests/web/test_nested_records.py.
    page = page_for()
    flows.start(page, customer_url)
    page.goto(f"{customer_url}p/services")
    on_page(page, "services")
    flows.add_plain_service(page, flows.DICOM_STORE)
    page.get_by_role("link", name="Change service 1").click()
    audit.check(page, "a service's page with no real servers yet")
    page.get_by_role("link", name="Add a server").click()
    audit.check(page, "a real server's page")
    page.get_by_role("button", name="Save server").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "a real server's page with errors")
    fill_record(page, {"name": "dicom-01", "ip": "10.20.1.21", "port": "11112"})
    page.get_by_role("button", name="Save server").click()
    expect(page.get_by_role("link", name="Change server 1")).to_be_visible()
    audit.check(page, "a service's page listing its real servers")
    page.get_by_role("link", name="Remove server 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove server 1?"
    )
    audit.check(page, "removing a real server")
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Back").click()
    on_page(page, "services")
    page.get_by_role("link", name="Remove service 1").click()
    expect(page.get_by_text("This also removes its 1 server.")).to_be_visible()
    audit.check(page, "removing a service with its real servers")
    _assert_no_serious(audit)
