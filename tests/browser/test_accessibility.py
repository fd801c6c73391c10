"""axe-core on every kind of page the customer meets (axe-playwright-python's bundled axe).

A "serious" or "critical" violation fails the test; every violation (minor ones too) is printed,
so ``pytest -s tests/browser/test_accessibility.py`` lists them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from . import flows
from .conftest import LiveServer, PageFor
from .helpers import (
    PDF,
    at,
    back,
    choose,
    field,
    fill_text,
    on_page,
    save_and_continue,
    save_for_later,
)

pytestmark = pytest.mark.browser

FAILING_IMPACTS = {"serious", "critical"}

try:
    from axe_playwright_python.sync_playwright import Axe
except Exception as exc:  # pragma: no cover - only when the package or its axe.min.js is broken
    pytest.skip(f"axe-playwright-python cannot load axe-core: {exc}", allow_module_level=True)


class AxeAudit:
    """Runs axe on pages and collects every violation, by the name of the page."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.found: list[tuple[str, dict[str, Any]]] = []
        self.checked: list[str] = []

    def check(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        self.checked.append(name)
        for violation in results.response["violations"]:
            self.found.append((name, violation))

    def report(self, impacts: set[str] | None = None) -> str:
        """One entry per violation (of these impacts): page, impact, rule, help, node targets."""
        lines = []
        for name, violation in self.found:
            if impacts is not None and violation["impact"] not in impacts:
                continue
            targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]]
            lines.append(
                f"[{violation['impact']}] {name}: {violation['id']} - {violation['help']}"
                f" ({violation['helpUrl']})\n    nodes: {'; '.join(targets)}"
            )
        return "\n".join(lines)


@pytest.fixture
def audit() -> Iterator[AxeAudit]:
    auditor = AxeAudit()
    yield auditor
    print(f"\naxe checked {len(auditor.checked)} pages: {', '.join(auditor.checked)}")
    print(auditor.report() or "no violations")


def _assert_no_serious(audit: AxeAudit) -> None:
    failing = audit.report(FAILING_IMPACTS)
    assert not failing, "serious or critical accessibility violations:\n" + failing


def test_question_pages_have_no_serious_violations(
    page_for: PageFor, customer_url: str, tmp_path: Path, audit: AxeAudit
) -> None:
    page = page_for()
    page.goto(customer_url)
    audit.check(page, "start")
    flows.start(page, customer_url)
    audit.check(page, "text inputs and radios (commercial)")
    flows.commercial(page)

    flows.organisation(page, email=False)
    on_page(page, "organisation")
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check(page, "error summary (organisation)")
    flows.organisation(page)

    audit.check(page, "textarea and checkboxes (project)")
    flows.project(page, "storage")

    hld = tmp_path / "hld.pdf"
    hld.write_bytes(PDF)
    choose(page, "hld_available", "yes")
    expect(field(page, "hld_file")).to_be_visible()
    audit.check(page, "file upload, shown by the preview (design)")
    flows.design(page, hld)
    back(page, "design")
    audit.check(page, "file upload with a file uploaded (design)")
    save_and_continue(page, "network")

    choose(page, "network_fabric", "cisco_aci")
    audit.check(page, "radios with a warning note (network)")
    flows.network_traditional(page)
    flows.appliance_virtual(page)
    flows.addressing(page)
    flows.servers(page)
    flows.remote_access(page)
    flows.change_windows(page, "storage")
    flows.storage(page)

    audit.check(page, "repeating group, empty (services)")
    page.get_by_role("link", name="Add a service").click()
    audit.check(page, "record add page")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check(page, "record page with errors")
    page.get_by_role("link", name="Cancel").click()
    on_page(page, "services")
    flows.add_https_service(page, flows.S3)
    flows.add_plain_service(page, flows.DICOM_STORE)
    audit.check(page, "repeating group with records (services)")

    page.get_by_role("link", name="Remove service 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove service 2?"
    )
    audit.check(page, "remove confirmation")
    choose(page, "confirm", "yes")
    page.get_by_role("button", name="Continue").click()
    on_page(page, "services")
    expect(page.locator(".summary-list__row")).to_have_count(1)

    save_and_continue(page, "anything_else")
    fill_text(page, "call_availability", "Weekday mornings")
    save_for_later(page)
    audit.check(page, "saved")
    page.get_by_role("link", name="Carry on now").click()
    at(page, "review")  # nothing is missing any more
    audit.check(page, "review")
    flows.submit(page)
    audit.check(page, "confirmation")
    page.goto(customer_url)
    at(page, "done")
    audit.check(page, "read-only summary")

    _assert_no_serious(audit)


def test_link_error_pages_have_no_serious_violations(
    page_for: PageFor, live_server: LiveServer, audit: AxeAudit
) -> None:
    page = page_for()
    unknown = page.goto(f"{live_server.url}/r/{'x' * 43}/")
    assert unknown is not None and unknown.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    audit.check(page, "404 unknown link")

    expired = page.goto(live_server.invite(days=-1))
    assert expired is not None and expired.status == 410
    expect(page.get_by_text("This link has expired")).to_be_visible()
    audit.check(page, "410 expired link")

    _assert_no_serious(audit)
