"""The searchable select in a real browser (issue 12): with JavaScript, a combobox a person
chooses from with the keyboard alone, announcing its results; axe finds nothing serious on
the page, open or closed; without JavaScript, the plain select."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from questionnaire.web.preview import create_preview_app
from tests.engine.builders import as_yaml, definition, page, question

from .conftest import PageFor, _QuietHandler
from .test_accessibility import AxeAudit, _assert_no_serious, audit

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name

CITIES = [
    {"value": "leeds", "label": "Leeds", "country": "uk"},
    {"value": "paisley", "label": "Paisley", "country": "uk"},
    {"value": "lyon", "label": "Lyon", "country": "fr"},
    {"value": "paris", "label": "Paris", "country": "fr"},
    {"value": "pau", "label": "Pau", "country": "fr"},
]


def cities() -> dict[str, Any]:
    country = {
        **question("country", "choice"),
        "choices": [{"value": "uk", "label": "UK"}, {"value": "fr", "label": "France"}],
    }
    city = {
        **question("city", "choice", label="Which city?", hint="Start typing its name"),
        "choices": CITIES,
        "widget": "searchable",
        "choice_filter": {"==": [{"var": "option.country"}, {"var": "country"}]},
    }
    return definition(page("where", country, next="town"), page("town", city))


@pytest.fixture
def preview_url(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "cities.yaml"
    path.write_text(as_yaml(cities()))
    server = make_server(
        "127.0.0.1", 0, create_preview_app(path), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def at_town(page_for: PageFor, url: str, **options: Any) -> Any:
    browser_page = page_for(**options)
    browser_page.goto(f"{url}/p/where")
    browser_page.get_by_label("France").check()
    browser_page.get_by_role("button", name="Save and continue").click()
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Town")
    return browser_page


def test_a_city_is_chosen_with_the_keyboard_alone(
    page_for: PageFor, preview_url: str, audit: AxeAudit
) -> None:
    page = at_town(page_for, preview_url)
    box = page.get_by_role("combobox", name="Which city?")
    expect(box).to_be_visible()
    expect(page.locator("select#city")).to_be_hidden()
    audit.check(page, "searchable select, closed")
    box.focus()
    page.keyboard.type("pa")
    listbox = page.get_by_role("listbox", name="Which city?")
    expect(listbox.get_by_role("option")).to_have_text(["Paris", "Pau"])  # France's only
    expect(page.get_by_role("status").filter(has_text="results")).to_have_text(
        "2 results available"
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "city-option-1")
    expect(listbox.get_by_role("option", name="Pau")).to_have_attribute("aria-selected", "true")
    audit.check(page, "searchable select, open")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # chooses, does not submit
    expect(box).to_have_value("Paris")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("select#city")).to_have_value("paris")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save and continue")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    expect(page.get_by_text("Paris")).to_be_visible()
    _assert_no_serious(audit)


def test_typing_is_never_rewritten_and_escape_closes(page_for: PageFor, preview_url: str) -> None:
    page = at_town(page_for, preview_url)
    box = page.get_by_role("combobox", name="Which city?")
    box.focus()
    page.keyboard.type("zz")
    expect(box).to_have_value("zz")
    # Announced after a pause in the typing (ANNOUNCE_MS), so a busy machine may take a while.
    expect(page.get_by_role("status").filter(has_text="No results")).to_have_count(
        1, timeout=15_000
    )
    page.keyboard.type("y")
    expect(box).to_have_value("zzy")
    page.keyboard.press("Control+a")
    page.keyboard.type("ly")
    expect(page.get_by_role("option")).to_have_text(["Lyon"])
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="Which city?")).to_be_hidden()
    expect(box).to_have_value("ly")


def test_the_error_summary_leads_to_the_box(page_for: PageFor, preview_url: str) -> None:
    page = at_town(page_for, preview_url)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Select an answer to ‘Which city?’").click()
    expect(page.get_by_role("combobox", name="Which city?")).to_be_focused()


def test_without_javascript_it_is_a_plain_select(page_for: PageFor, preview_url: str) -> None:
    page = at_town(page_for, preview_url, java_script_enabled=False)
    select = page.get_by_label("Which city?")
    expect(select).to_be_visible()
    select.select_option("pau")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Pau")).to_be_visible()
