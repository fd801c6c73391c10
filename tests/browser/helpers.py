"""A small layer over Playwright for the questionnaire's GOV.UK-pattern pages.

Question ids are element ids: a text input or textarea has ``id=qid``; the options of a radio
or checkbox question share ``name=qid`` (the first has ``id=qid``, the others ``qid-2``...).

With JavaScript on, ``enhance.js`` re-renders the page's questions (``#questions``) after every
change of an answer, from the server (POST ``.../preview``). A helper that changes an answer on
such a page waits until that re-render has happened, so that the next action never works on
elements that are about to be replaced (nor loses what it typed to the swap).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from weakref import WeakSet

from playwright.sync_api import BrowserContext, Locator, Page, expect

#: Contexts opened with ``java_script_enabled=False`` (registered by the ``page_for`` fixture).
NO_SCRIPT: WeakSet[BrowserContext] = WeakSet()

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

_MARK_OLD = (
    "document.querySelectorAll('#questions > *').forEach(e => e.setAttribute('data-old', ''))"
)
_SWAPPED = "() => !document.querySelector('#questions [data-old]')"
# In one round trip: whether setting the element to `wanted` changes it, and if the change will
# make enhance.js re-render the questions, mark them (`_SWAPPED` then waits for the swap).
_PREPARE = """([selector, wanted, scripted]) => {
  const el = document.querySelector(selector);
  if (!el) return {changes: true, watch: false};  // the action that follows reports it
  const changes = ["radio", "checkbox"].includes(el.type) ? el.checked !== wanted
                                                          : el.value !== wanted;
  const questions = document.querySelector("form[data-preview] #questions");
  const watch = scripted && changes && !!questions && questions.contains(el);
  if (watch) questions.querySelectorAll(":scope > *").forEach(e => e.setAttribute("data-old", ""));
  return {changes, watch};
}"""


def scripted(page: Page) -> bool:
    return page.context not in NO_SCRIPT


def enhanced(page: Page) -> bool:
    """Whether ``enhance.js`` re-renders this page's questions when an answer changes."""
    return scripted(page) and page.locator("form[data-preview] #questions").count() == 1


@contextmanager
def rerendered(page: Page) -> Iterator[None]:
    """Wait, after the block, for the re-render of the questions that a change in the block
    causes: they are marked first, and must all have been replaced."""
    watch = enhanced(page)
    if watch:
        page.evaluate(_MARK_OLD)
    yield
    if watch:
        page.wait_for_function(_SWAPPED)


def _prepare(page: Page, selector: str, wanted: str | bool) -> tuple[bool, bool]:
    found = page.evaluate(_PREPARE, [selector, wanted, scripted(page)])
    return bool(found["changes"]), bool(found["watch"])


def field(page: Page, qid: str) -> Locator:
    return page.locator(f"[id='{qid}']")


def choose_searchable(page: Page, qid: str, value: str) -> None:
    """Choose ``value`` in a searchable select: typed into its combobox and picked with the
    keyboard (with JavaScript), or selected in the plain select (without)."""
    changes, watch = _prepare(page, f"select[id='{qid}']", value)
    if changes:
        box = page.locator(f"[id='{qid}-search']")
        if scripted(page) and box.count():
            box.fill(value)
            box.press("ArrowDown")
            box.press("Enter")
            expect(field(page, qid)).to_have_value(value)
        else:
            field(page, qid).select_option(value)
    if watch:
        page.wait_for_function(_SWAPPED)


def _option_selector(qid: str, value: str) -> str:
    return f"input[name='{qid}'][value='{value}']"


def option(page: Page, qid: str, value: str) -> Locator:
    return page.locator(_option_selector(qid, value))


def fill_text(page: Page, qid: str, value: str) -> None:
    """Type into a text input or textarea (then leave it, as a person would)."""
    changes, watch = _prepare(page, f"[id='{qid}']", value)
    if changes:
        box = field(page, qid)
        box.fill(value)
        box.blur()
    if watch:
        page.wait_for_function(_SWAPPED)


def _click_to(page: Page, qid: str, value: str, checked: bool) -> None:
    changes, watch = _prepare(page, _option_selector(qid, value), checked)
    if changes:
        option(page, qid, value).click()
    if watch:
        page.wait_for_function(_SWAPPED)
    expect(option(page, qid, value)).to_be_checked(checked=checked)


def choose(page: Page, qid: str, value: str) -> None:
    """Click the radio ``value`` of question ``qid`` (yes/no questions: "yes" or "no")."""
    _click_to(page, qid, value, True)


def tick(page: Page, qid: str, *values: str) -> None:
    """Tick exactly these checkboxes of question ``qid`` (untick the others)."""
    boxes = page.locator(f"input[type=checkbox][name='{qid}']")
    for value in boxes.evaluate_all("boxes => boxes.map(b => b.value)"):
        _click_to(page, qid, value, value in values)


def upload(page: Page, qid: str, path: Path) -> None:
    field(page, qid).set_input_files(path)


def on_page(page: Page, page_id: str) -> None:
    """The browser shows question page ``page_id`` (fragment and query ignored)."""
    expect(page).to_have_url(re.compile(rf"/p/{re.escape(page_id)}(#.*)?$"))
    page.wait_for_load_state()  # enhance.js is ready (it runs on DOMContentLoaded)


def at(page: Page, path: str) -> None:
    """The browser is at ``.../r/<token>/<path>`` (fragment and query ignored)."""
    expect(page).to_have_url(re.compile(rf"/r/[^/]+/{re.escape(path)}([?#].*)?$"))
    page.wait_for_load_state()


def save_and_continue(page: Page, next_page: str | None = None) -> None:
    """Press "Save and continue"; with ``next_page``, check the browser went there."""
    page.get_by_role("button", name="Save and continue").click()
    if next_page == "review":
        at(page, "review")
    elif next_page is not None:
        on_page(page, next_page)


def back(page: Page, page_id: str) -> None:
    """Follow the page's Back link to question page ``page_id``."""
    page.locator("a.back-link").click()
    on_page(page, page_id)


def save_for_later(page: Page) -> None:
    page.get_by_role("button", name="Save and come back later").click()
    at(page, "saved")


def reveal(page: Page, parent_page: str, qid: str) -> None:
    """After an answer that shows the required question ``qid`` on the same page: show it.

    With JavaScript it appears at once, without a submit (the server's preview). Without, it
    appears when the page is submitted: the page comes back with the new question, asked as a
    new question (not reported as a missing answer the person has never seen).
    """
    if enhanced(page):
        expect(field(page, qid)).to_be_visible()
        on_page(page, parent_page)
        return
    expect(field(page, qid)).to_have_count(0)
    save_and_continue(page)
    on_page(page, parent_page)
    expect(page.locator(f".error-summary a[href='#{qid}']")).to_have_count(0)
    expect(field(page, qid)).to_be_visible()


def error_links(page: Page) -> list[tuple[str, str]]:
    """The error summary's links: ``[(href, text), ...]``."""
    links = page.locator(".error-summary a")
    return [
        (links.nth(n).get_attribute("href") or "", links.nth(n).inner_text())
        for n in range(links.count())
    ]


def add_record(page: Page, item: str, answers: dict[str, str]) -> None:
    """On a repeating group's page, add one record: text fields by value, radios by value."""
    page.get_by_role("link", name=re.compile(rf"^Add (a|another) {item}$", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Add a {item}")
    fill_record(page, answers)


def fill_record(page: Page, answers: dict[str, str]) -> None:
    for qid, value in answers.items():
        if page.locator(f"input[type=radio][name='{qid}']").count():
            choose(page, qid, value)
        else:
            fill_text(page, qid, value)


def answer_shown(page: Page, question: str) -> Locator:
    """On the review or summary page: the answer shown for the question labelled ``question``
    (the start of its label is enough)."""
    row = page.locator(".summary-list__row").filter(
        has=page.locator(".summary-list__key", has_text=question)
    )
    return row.locator(".summary-list__value")
