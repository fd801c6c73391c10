"""A customer's way through the shipped pre-discovery questionnaire in a real browser.

Each test has its own link (a new engagement) and its own browser context; they share one
Chromium and one threaded server of the app (see ``conftest.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from questionnaire.services import journey
from questionnaire.store import db
from questionnaire.store.models import ResponseStatus, utcnow

from . import flows
from .conftest import LiveServer, PageFor
from .helpers import (
    PDF,
    answer_shown,
    at,
    back,
    choose,
    error_links,
    field,
    fill_text,
    on_page,
    option,
    rerendered,
    save_and_continue,
    save_for_later,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def hld_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "hld.pdf"
    path.write_bytes(PDF)
    return path


def _open(page: Page, url: str, page_id: str) -> None:
    """Start, then go straight to question page ``page_id`` (every page on the path opens)."""
    flows.start(page, url)
    page.goto(f"{url}p/{page_id}")
    on_page(page, page_id)


# --- 1. Medical imaging on Cisco ACI, with JavaScript ---------------------------------------------


def test_medical_on_cisco_aci_from_start_to_read_only_summary(
    page_for: PageFor, customer_url: str, hld_pdf: Path
) -> None:
    page = page_for()
    flows.start(page, customer_url)
    expect(page.locator(".caption")).to_contain_text("page 1 of")
    flows.commercial(page)

    # A required answer missing: the error summary appears, takes focus, and its link moves
    # focus to the field. What was typed is kept.
    flows.organisation(page, email=False)
    on_page(page, "organisation")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert error_links(page) == [
        ("#contact_email", "Enter an answer to ‘What is their email address?’")
    ]
    expect(page.locator("#contact_email-error")).to_be_visible()
    expect(field(page, "organisation")).to_have_value(flows.ORGANISATION)
    summary.get_by_role("link").click()
    expect(field(page, "contact_email")).to_be_focused()
    fill_text(page, "contact_email", "alex.morgan@northshire.example")
    save_and_continue(page, "project")

    flows.project(page, "medical")

    # Back, twice: the earlier answers are still there; then forward again.
    back(page, "project")
    expect(field(page, "load_balancing_summary")).to_contain_text("Our PACS web viewer")
    expect(option(page, "deployment_types", "medical")).to_be_checked()
    expect(option(page, "deployment_types", "storage")).not_to_be_checked()
    back(page, "organisation")
    expect(field(page, "organisation")).to_have_value(flows.ORGANISATION)
    expect(field(page, "contact_email")).to_have_value("alex.morgan@northshire.example")
    expect(field(page, "contact_phone")).to_have_value("+442079460958")
    save_and_continue(page, "project")
    save_and_continue(page, "design")

    flows.design(page, hld=hld_pdf)

    # The live preview: choosing an answer shows (and hides) questions and notes on the same
    # page without submitting it.
    choose(page, "network_fabric", "other")
    expect(field(page, "network_fabric_other")).to_be_visible()
    on_page(page, "network")
    choose(page, "network_fabric", "cisco_aci")
    expect(field(page, "network_fabric_other")).to_have_count(0)
    expect(page.get_by_text("Cisco ACI has known issues")).to_be_visible()
    fill_text(page, "network_notes", "A firewall sits between the load balancer and the servers.")
    expect(field(page, "network_notes")).to_have_value(
        "A firewall sits between the load balancer and the servers."
    )
    on_page(page, "network")
    save_and_continue(page, "aci")

    flows.aci(page)
    flows.appliance_hardware(page)
    flows.addressing(page)
    flows.servers(page)
    flows.remote_access(page)
    flows.change_windows(page, "medical")

    # Save and come back later, then resume in a fresh browser (no cookies) where we left off.
    flows.medical(page, then=save_for_later)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been saved")
    expect(page.locator("code.link-text")).to_have_text(customer_url)
    page.context.close()

    page = page_for()
    page.goto(customer_url)
    expect(page.get_by_text("You have started")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    on_page(page, "services")
    back(page, "medical")
    expect(field(page, "medical_vendor")).to_have_value("Example Imaging PACS")
    expect(option(page, "medical_services", "dicom_store")).to_be_checked()
    save_and_continue(page, "services")

    # The repeating group: two services, one HTTPS (the TLS question appears for it).
    expect(
        page.get_by_role("heading", name=f"Which services should {flows.ORGANISATION}'s load")
    ).to_be_visible()
    expect(page.get_by_text("You have not added any yet.")).to_be_visible()
    flows.add_https_service(page, flows.PACS_VIEWER)
    flows.add_real_servers(page, 1, flows.PACS_SERVERS)
    flows.add_plain_service(page, flows.DICOM_STORE)
    records = page.locator(".summary-list__row")
    expect(records).to_have_count(2)
    expect(records.nth(0)).to_contain_text("PACS web viewer")
    expect(records.nth(0)).to_contain_text("Server 2: What is the server's IP address? 10.20.1.12")
    expect(records.nth(0)).to_contain_text("On the load balancer")
    expect(records.nth(1)).to_contain_text("DICOM store")
    expect(records.nth(1)).not_to_contain_text("decrypted")
    save_and_continue(page, "anything_else")
    flows.anything_else(page)

    # The review page: every answer listed with a Change link; then submit.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    rows = page.locator(".summary-list__row")
    expect(rows.first).to_be_visible()
    assert rows.count() > 40
    expect(page.locator(".summary-list__actions a")).to_have_count(rows.count())
    expect(answer_shown(page, "What is the name of your organisation?")).to_have_text(
        flows.ORGANISATION
    )
    expect(answer_shown(page, "Which of these describe")).to_have_text("Medical imaging")
    expect(answer_shown(page, "Upload your design")).to_contain_text("hld.pdf")
    expect(answer_shown(page, "Which network platform")).to_have_text("Cisco ACI")
    expect(answer_shown(page, "Who administers")).to_have_text("Our own network team")
    expect(answer_shown(page, "Which PACS or VNA product")).to_have_text("Example Imaging PACS")
    expect(answer_shown(page, "Which time zone")).to_have_text("Europe/London")
    services = answer_shown(page, "Which services should")
    expect(services).to_contain_text("Service name: PACS web viewer")
    expect(services).to_contain_text("Service name: DICOM store")
    change = page.get_by_role("link", name="Change What is the name of your organisation?")
    expect(change).to_have_attribute("href", re.compile(r"/p/organisation#organisation-group$"))

    # Another browser (without JavaScript, so only the server decides), left open on a question
    # page, to try a change after submitting.
    stale = page_for(java_script_enabled=False)
    stale.goto(customer_url + "p/anything_else")
    on_page(stale, "anything_else")

    flows.submit(page)
    expect(page.get_by_text("What happens next")).to_be_visible()

    # The link again: the read-only summary, with no way to change anything.
    page.goto(customer_url)
    at(page, "done")
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers submitted")
    expect(page.get_by_text("It can no longer be changed")).to_be_visible()
    expect(answer_shown(page, "What is the name of your organisation?")).to_have_text(
        flows.ORGANISATION
    )
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)
    expect(page.locator("form")).to_have_count(0)
    page.goto(customer_url + "p/organisation")
    at(page, "done")

    # Posting from the stale tab is refused: the customer lands on the summary, unchanged.
    fill_text(stale, "anything_else", "Changed after submitting")
    save_and_continue(stale)
    at(stale, "done")
    expect(answer_shown(stale, "Is there anything else")).to_have_text(
        "We would like to go live before the end of June."
    )


# --- 2. and 3. Storage, with and without JavaScript -------------------------------------------


def _storage_to_submission(page: Page, url: str) -> None:
    flows.start(page, url)
    flows.commercial(page)
    flows.organisation(page)
    flows.project(page, "storage")
    flows.design(page)
    flows.network_traditional(page)
    flows.appliance_virtual(page)
    flows.addressing(page)
    flows.servers(page)
    flows.remote_access(page)
    flows.change_windows(page, "storage")
    flows.storage(page)
    flows.add_https_service(page, flows.S3)
    save_and_continue(page, "anything_else")
    flows.anything_else(page)
    expect(answer_shown(page, "Which of these describe your project?")).to_have_text(
        "Object storage"
    )
    expect(answer_shown(page, "Which hypervisor")).to_have_text("VMware vSphere / ESXi")
    expect(answer_shown(page, "Which object storage product")).to_have_text("MinIO")
    expect(answer_shown(page, "Who will provide the certificate")).to_contain_text("(CSR)")
    services = answer_shown(page, "Which services should")
    expect(services).to_contain_text("Service name: S3")
    expect(services).to_contain_text("decrypted? On the load balancer")
    expect(page.locator(".error-summary")).to_have_count(0)  # nothing missing
    flows.submit(page)
    expect(answer_shown(page, "Which object storage product")).to_have_text("MinIO")


def test_storage_branch_to_submission(page_for: PageFor, customer_url: str) -> None:
    _storage_to_submission(page_for(), customer_url)


def test_storage_branch_without_javascript(page_for: PageFor, customer_url: str) -> None:
    """Every page works without JavaScript: a question that an answer shows appears when the
    page is submitted (``helpers.reveal`` checks that it is absent until then)."""
    _storage_to_submission(page_for(java_script_enabled=False), customer_url)


def test_without_javascript_a_conditional_question_appears_after_submitting(
    page_for: PageFor, customer_url: str
) -> None:
    page = page_for(java_script_enabled=False)
    _open(page, customer_url, "commercial")
    choose(page, "commercial_confirmed", "no")
    expect(field(page, "commercial_corrections")).to_have_count(0)  # no script to show it
    save_and_continue(page)
    on_page(page, "commercial")
    expect(field(page, "commercial_corrections")).to_be_visible()
    assert error_links(page) == []  # a question the person has not seen yet is no error
    expect(option(page, "commercial_confirmed", "no")).to_be_checked()
    fill_text(page, "commercial_corrections", "The quote number is Q-2026-0118.")
    save_and_continue(page, "organisation")
    back(page, "commercial")
    expect(field(page, "commercial_corrections")).to_have_value("The quote number is Q-2026-0118.")


def test_with_javascript_a_revealed_question_can_be_answered_at_once(
    page_for: PageFor, customer_url: str
) -> None:
    """The preview shows the new question; what is typed into it survives the next preview and
    is saved with the page (no error, no second submit)."""
    page = page_for()
    _open(page, customer_url, "commercial")
    choose(page, "commercial_confirmed", "no")
    expect(field(page, "commercial_corrections")).to_be_visible()
    fill_text(page, "commercial_corrections", "The quote number is Q-2026-0118.")
    choose(page, "commercial_confirmed", "not_sure")  # hides it ...
    expect(field(page, "commercial_corrections")).to_have_count(0)
    choose(page, "commercial_confirmed", "no")  # ... and shows it again
    fill_text(page, "commercial_corrections", "The quote number is Q-2026-0118.")
    fill_text(page, "purchase_order", "PO-48213")  # another change: another preview
    expect(field(page, "commercial_corrections")).to_have_value("The quote number is Q-2026-0118.")
    save_and_continue(page, "organisation")
    back(page, "commercial")
    expect(field(page, "commercial_corrections")).to_have_value("The quote number is Q-2026-0118.")


# --- 4. Keyboard only -----------------------------------------------------------------------------


def _tab_to(page: Page, selector: str, limit: int = 30) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


# The focused element's look against an unfocused copy of it (same classes, same place): a
# visible focus indicator is a visible outline, or a change of shadow, background or border.
_FOCUS_STYLE = r"""() => {
  const el = document.activeElement;
  const look = e => {
    const s = getComputedStyle(e);
    return {outline: s.outlineStyle === "none" || s.outlineWidth === "0px"
                     || /^rgba\(.*, 0\)$/.test(s.outlineColor)
                     ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
            shadow: s.boxShadow, background: s.backgroundColor, border: s.borderColor};
  };
  const copy = el.cloneNode(false);
  copy.removeAttribute("id");
  copy.removeAttribute("name");
  el.parentNode.insertBefore(copy, el.nextSibling);
  const unfocused = look(copy);
  copy.remove();
  return {focused: look(el), unfocused, tag: el.tagName, id: el.id};
}"""


def _assert_focus_visible(page: Page) -> None:
    """The focused element has a visible focus indicator (WCAG 2.4.7)."""
    style = page.evaluate(_FOCUS_STYLE)
    focused, unfocused = style["focused"], style["unfocused"]
    changed = [key for key in focused if focused[key] != unfocused[key]]
    assert focused["outline"] != "none" or changed, f"no visible focus indicator: {style}"


def _keyboard_organisation_page(page: Page) -> None:
    _tab_to(page, "#organisation")
    _assert_focus_visible(page)
    page.keyboard.type(flows.ORGANISATION)
    for qid, text in [
        ("contact_name", "Alex Morgan"),
        ("contact_role", "Infrastructure lead"),
        ("contact_email", "alex.morgan@northshire.example"),
        ("contact_phone", "+44 20 7946 0958"),
    ]:
        page.keyboard.press("Tab")
        expect(field(page, qid)).to_be_focused()
        _assert_focus_visible(page)
        page.keyboard.type(text)
    page.keyboard.press("Enter")  # submits with the first button: "Save and continue"


def test_keyboard_only_without_javascript(page_for: PageFor, customer_url: str) -> None:
    """Start, a page of radios (arrow keys, Space) and the contact page (typing), by keyboard.

    Without JavaScript: with it, Tab out of a changed text field jumps back (see the xfail).
    """
    page = page_for(java_script_enabled=False)
    page.goto(customer_url)
    _tab_to(page, "button")
    expect(page.get_by_role("button", name="Start now")).to_be_focused()
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    on_page(page, "commercial")

    _tab_to(page, "[name=commercial_confirmed]")
    _assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(option(page, "commercial_confirmed", "yes")).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(option(page, "commercial_confirmed", "no")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(option(page, "commercial_confirmed", "yes")).to_be_checked()
    _tab_to(page, "button[value=continue]")
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    on_page(page, "organisation")

    _keyboard_organisation_page(page)
    on_page(page, "project")

    page.goto(customer_url + "p/organisation")
    expect(field(page, "organisation")).to_have_value(flows.ORGANISATION)
    expect(field(page, "contact_name")).to_have_value("Alex Morgan")
    expect(field(page, "contact_email")).to_have_value("alex.morgan@northshire.example")
    expect(field(page, "contact_phone")).to_have_value("+442079460958")


# --- Bugs the browser tests found, kept as regression tests -----------------------------------


def test_keyboard_tab_moves_on_with_javascript(page_for: PageFor, customer_url: str) -> None:
    page = page_for()
    _open(page, customer_url, "organisation")
    _tab_to(page, "#organisation")
    # Not the link's customer, which the answer starts from (tabbing in selects it to replace).
    page.keyboard.type("Southshire Health")
    with rerendered(page):
        page.keyboard.press("Tab")  # "organisation" changed: the page asks for a preview
    expect(field(page, "contact_name")).to_be_focused(timeout=1000)


def test_without_javascript_the_upload_is_offered_after_answering_yes(
    page_for: PageFor, customer_url: str
) -> None:
    page = page_for(java_script_enabled=False)
    _open(page, customer_url, "design")
    choose(page, "hld_available", "yes")
    save_and_continue(page)
    page.wait_for_url(re.compile(r"/p/design#hld_file-group$"))
    expect(field(page, "hld_file")).to_be_visible(timeout=1000)
    save_and_continue(page, "network")  # it is optional: asked once, then the way goes on


def test_save_and_come_back_later_on_a_partly_answered_page(
    page_for: PageFor, customer_url: str
) -> None:
    page = page_for()
    _open(page, customer_url, "organisation")
    fill_text(page, "organisation", flows.ORGANISATION)
    page.get_by_role("button", name="Save and come back later").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_have_count(0, timeout=1000)
    at(page, "saved")


def test_an_error_page_keeps_the_page_count_and_progress(
    page_for: PageFor, customer_url: str
) -> None:
    page = page_for()
    _open(page, customer_url, "organisation")
    caption = page.locator(".caption").inner_text()
    progress = page.locator("progress").get_attribute("value")
    save_and_continue(page)
    on_page(page, "organisation")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".caption")).to_have_text(caption, timeout=1000)
    expect(page.locator("progress")).to_have_attribute("value", progress or "", timeout=1000)


def _submitted_elsewhere(server: LiveServer, url: str) -> None:
    """Setup shortcut: mark the link's response submitted, as if the customer had submitted it
    on another device (completing the whole questionnaire here would take many seconds)."""
    token = url.rstrip("/").rsplit("/", 1)[-1]
    with server.app.app_context():
        session = db.session()
        response = journey.open_link(session, server.app.extensions["services"], token).response
        assert response is not None
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = utcnow()
        session.commit()


def test_a_change_after_submission_elsewhere_does_not_nest_a_page(
    page_for: PageFor, live_server: LiveServer, customer_url: str
) -> None:
    page = page_for()
    _open(page, customer_url, "anything_else")
    _submitted_elsewhere(live_server, customer_url)
    field(page, "anything_else").fill("A change after submitting")
    field(page, "anything_else").blur()  # a preview is asked for
    page.wait_for_load_state("networkidle")  # ... and its answer has arrived
    expect(page.locator("#questions header")).to_have_count(0)
    expect(page.locator("#questions h1")).to_have_count(0)


def test_error_summary_links_can_be_told_apart(page_for: PageFor, customer_url: str) -> None:
    page = page_for(java_script_enabled=False)
    _open(page, customer_url, "organisation")
    field(page, "organisation").fill("")  # it starts from the link's customer
    save_and_continue(page)
    on_page(page, "organisation")
    texts = [text for _, text in error_links(page)]
    assert len(texts) == 4
    assert len(set(texts)) == len(texts), texts
