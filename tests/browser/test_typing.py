"""Typing while the page asks the server for its questions (issue 8), over a slow network.

With JavaScript on, ``enhance.js`` posts the form to the page's preview URL after a change and
updates the questions from the answer. Those answers arrive while the person is already typing
in the next field; these tests make them slow on purpose (each preview held back by the test,
plus emulated network latency) and type at a person's speed, so that any update that touches
the field being typed in, or re-sends a preview per key, shows up as a wrong value, lost
focus or a request count.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import pytest
from playwright.sync_api import Error, Page, Route, expect

from . import flows
from .conftest import PageFor
from .helpers import PDF, field, on_page, option, save_and_continue

pytestmark = pytest.mark.browser

#: How long the test holds back every preview request (on top of the emulated latency).
PREVIEW_DELAY_S = 0.25
#: Round-trip latency added to every request by Chromium's network emulation.
NETWORK_LATENCY_MS = 100
#: A person typing steadily: one key every 150 ms.
KEY_DELAY_MS = 150

# Expando properties, invisible in the markup: a field that still has its mark later is the
# same DOM node, not a copy rendered again.
_MARK_FIELDS = """() => document.querySelectorAll("#questions input, #questions textarea")
                         .forEach(el => { el.typingTestMark = true; })"""
_REPLACED_FIELDS = """() => [...document.querySelectorAll("#questions input, #questions textarea")]
                         .filter(el => el.typingTestMark === undefined).map(el => el.id)"""


@dataclass
class Previews:
    """The page's preview requests: counted, and each held back before it goes on.

    ``hold=True`` keeps them instead (in ``held``), for the test to release in its own order.
    """

    delay_s: float = PREVIEW_DELAY_S
    hold: bool = False
    count: int = 0
    held: list[Route] = dataclass_field(default_factory=list)

    def handle(self, route: Route) -> None:
        self.count += 1
        if self.hold:
            self.held.append(route)
            return
        # Blocking is fine: handlers run on Playwright's dispatcher, the typing goes on in the
        # browser meanwhile (two previews in flight are merely held one after the other).
        time.sleep(self.delay_s)
        release(route)


def release(route: Route) -> None:
    """Let a held preview go on to the server (the page may have aborted it meanwhile)."""
    with contextlib.suppress(Error):
        route.continue_()


@pytest.fixture
def slow_page(page_for: PageFor) -> Iterator[tuple[Page, Previews]]:
    """A page whose previews are slow: held back by the test, and every request delayed by
    Chromium's network emulation."""
    page = page_for()
    previews = Previews()
    page.route("**/preview", previews.handle)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": NETWORK_LATENCY_MS,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )
    yield page, previews
    cdp.detach()


def _open(page: Page, url: str, page_id: str) -> None:
    flows.start(page, url)
    page.goto(f"{url}p/{page_id}")
    on_page(page, page_id)


def _type(page: Page, qid: str, keys: str, value: str | None = None) -> None:
    """Type ``keys`` into the field at a person's speed; it then holds ``value`` exactly (the
    keys themselves by default) and still has the focus."""
    box = field(page, qid)
    box.press_sequentially(keys, delay=KEY_DELAY_MS)
    assert box.input_value() == (keys if value is None else value), qid
    expect(box).to_be_focused()


def _settled(page: Page) -> None:
    """Every preview asked for has been answered (and applied): past the script's debounce
    (250 ms), no request for a while."""
    page.wait_for_timeout(400)
    page.wait_for_load_state("networkidle")


def test_typing_right_after_a_change_keeps_every_character(
    slow_page: tuple[Page, Previews], customer_url: str
) -> None:
    """Each step changes the answer that shows or hides "What needs correcting?", presses Tab
    and at once types into a field while that slow preview is on its way: every kind of field
    on the page keeps exactly what was typed and the focus, the revealed question comes and
    goes, no field that stays is replaced, and the page sends about one preview per change
    (not one per key). The contact page then does the same by Tab alone (email, phone)."""
    page, previews = slow_page
    _open(page, customer_url, "commercial")
    corrections = field(page, "commercial_corrections")
    page.evaluate(_MARK_FIELDS)
    previews.count = 0

    steps = [  # (answer chosen first, field, keys typed, the value they make)
        ("no", "ps_days_sold", "2.5", None),  # decimal, with a unit
        ("not_sure", "contract_date", "2026-03-03", None),  # a date, typed as its hint shows
        ("yes", "purchase_order", "PO-48213", None),  # text; the answer hides nothing new
        ("no", "services_lead", "Sam Patel", None),
    ]
    for answer, qid, keys, value in steps:
        option(page, "commercial_confirmed", answer).click()
        page.keyboard.press("Tab")
        _type(page, qid, keys, value)
        expect(corrections).to_have_count(1 if answer == "no" else 0)

    # The revealed textarea, typed into right after Tab (services_lead's preview in flight).
    page.keyboard.press("Tab")  # to the chosen radio
    page.keyboard.press("Tab")  # to the revealed question
    expect(corrections).to_be_focused()
    _type(page, "commercial_corrections", "Q-2026-0118")
    _settled(page)

    expect(corrections).to_be_focused()
    values = {qid: value or keys for _, qid, keys, value in steps}
    for qid, value in values.items():
        expect(field(page, qid)).to_have_value(value)
    expect(corrections).to_have_value("Q-2026-0118")
    assert page.evaluate(_REPLACED_FIELDS) == ["commercial_corrections"]  # only the new one
    key_count = sum(len(keys) for _, _, keys, _ in steps) + len("Q-2026-0118")
    # One preview per change of the revealing answer, one for the last field left (the
    # debounce merges any others).
    commercial_previews = previews.count
    assert commercial_previews <= len(steps) + 2, (commercial_previews, key_count)

    save_and_continue(page, "organisation")
    previews.count = 0
    field(page, "contact_role").click()
    for qid, keys in [("contact_email", "jo@nhs.uk"), ("contact_phone", "0161 496")]:
        page.keyboard.press("Tab")  # the field left changed: a preview is on its way
        _type(page, qid, keys)
    _settled(page)
    expect(field(page, "contact_email")).to_have_value("jo@nhs.uk")
    expect(field(page, "contact_phone")).to_have_value("0161 496")
    expect(field(page, "contact_phone")).to_be_focused()
    assert previews.count <= 1, previews.count  # only contact_email was left after a change
    print(f"\npreviews: {commercial_previews} for {key_count} keys, then {previews.count}")


def test_a_chosen_file_survives_previews_and_a_stale_one_is_dropped(
    slow_page: tuple[Page, Previews], customer_url: str, tmp_path: Path
) -> None:
    """The upload question appears at once, announced politely while the focus stays on the
    answer; quick changes make one preview; an older preview answered late is not applied
    (it would hide the upload again); the file chosen stays chosen throughout."""
    page, previews = slow_page
    hld = tmp_path / "hld.pdf"
    hld.write_bytes(PDF)
    _open(page, customer_url, "design")
    yes = option(page, "hld_available", "yes")
    no = option(page, "hld_available", "no")

    yes.click()
    expect(field(page, "hld_file")).to_be_visible()
    expect(yes).to_be_focused()
    status = page.locator("[aria-live=polite]")
    expect(status).to_contain_text("Upload your design or diagram")
    field(page, "hld_file").set_input_files(hld)
    _settled(page)

    # Quick changes back and forth with the arrow keys: one preview, for the last answer.
    previews.count = 0
    yes.focus()
    for key in ("ArrowRight", "ArrowLeft", "ArrowRight", "ArrowLeft"):
        page.keyboard.press(key)
    expect(yes).to_be_checked()
    _settled(page)
    assert previews.count == 1, previews.count

    # "No" is answered late, after the preview for "Yes" that followed it.
    previews.hold = True
    no.click()
    _wait_for(page, lambda: len(previews.held) == 1)
    yes.click()
    _wait_for(page, lambda: len(previews.held) == 2)
    stale, latest = previews.held
    release(latest)
    release(stale)
    _settled(page)
    expect(field(page, "hld_file")).to_be_visible()
    chosen = field(page, "hld_file").evaluate("input => [...input.files].map(f => f.name)")
    assert chosen == ["hld.pdf"]
    expect(yes).to_be_focused()


def _wait_for(page: Page, condition: Callable[[], bool], timeout_s: float = 5) -> None:
    """Wait for a condition on the test's side (Playwright's events are handled meanwhile)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(20)
