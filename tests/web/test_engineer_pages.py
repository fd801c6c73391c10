"""The engineers' SoW pages as HTML."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .customer import Customer, csrf_token, invite
from .engineer import log_in, make_engineer
from .state import run_jobs

SOW = "/e/engagements/1/sow"


@pytest.fixture
def engineer(app: Flask) -> FlaskClient:
    """Signed in, with a submitted engagement whose SoW the worker has pre-filled (revision 1)."""
    visitor = Customer(app.test_client(), invite(app))
    visitor.complete_small(fabric="cisco_aci")
    assert visitor.submit().status_code == 302
    run_jobs(app)
    make_engineer(app)
    return log_in(app)


def _markdown(page: str) -> str:
    found = re.search(r'<textarea[^>]*id="markdown"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no editor on the page"
    return unescape(found.group(1))


def _save(engineer: FlaskClient, markdown: str, edited_from: int) -> None:
    page = engineer.get(SOW).text
    saved = engineer.post(SOW, data={
        "csrf_token": csrf_token(page), "markdown": markdown, "edited_from": str(edited_from),
    })  # fmt: skip
    assert saved.status_code == 302, saved.text


class _Elements(HTMLParser):
    """Every start tag's attributes, and what sits directly inside ``<pre class="diff">``."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.depth_in_diff = 0  # 1 directly inside the diff's <pre>
        self.between_lines: list[str] = []  # text directly in the <pre>, outside any line
        self.diff_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if self.depth_in_diff or (tag == "pre" and "diff" in attributes.get("class", "")):
            self.depth_in_diff += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth_in_diff:
            self.depth_in_diff -= 1

    def handle_data(self, data: str) -> None:
        if self.depth_in_diff == 1:
            self.between_lines.append(data)
        if self.depth_in_diff:
            self.diff_text.append(data)


def _parse(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    parsed.close()
    return parsed


def test_the_diff_shows_each_line_once_without_blank_lines_between(engineer: FlaskClient) -> None:
    original = _markdown(engineer.get(SOW).text)
    lines = original.splitlines()
    # One line changed, one added: a removed line, two added ones and their context.
    edited = "\n".join([lines[0] + " (edited)", *lines[1:3], "A new paragraph.", *lines[3:]])
    _save(engineer, edited, 1)
    diff = engineer.get(f"{SOW}/diff?from=1&to=2")
    assert diff.status_code == 200
    parsed = _parse(diff.text)
    # Every line is a block of its own: a newline between two of them would show as a blank
    # line after each (the bug this guards against).
    assert "".join(parsed.between_lines) == ""
    shown = "".join(parsed.diff_text).replace("Added: ", "").replace("Removed: ", "")
    assert shown.splitlines() == [
        "@@ -1,5 +1,6 @@",
        f"-{lines[0]}",
        f"+{lines[0]} (edited)",
        f" {lines[1]}",
        f" {lines[2]}",
        "+A new paragraph.",
        f" {lines[3]}",
        f" {lines[4]}",
    ]
    kinds = [a["class"] for tag, a in parsed.tags if "diff__line" in a.get("class", "")]
    assert [k.split()[-1] for k in kinds] == [
        "diff__hunk", "diff__removed", "diff__added", "diff__context", "diff__context",
        "diff__added", "diff__context", "diff__context",
    ]  # fmt: skip


def test_every_id_on_the_sow_pages_is_unique(engineer: FlaskClient) -> None:
    _save(engineer, _markdown(engineer.get(SOW).text) + "\n\nAgreed on the call.\n", 1)
    pages = {
        "SoW": SOW,
        "revision": f"{SOW}/revisions/1",
        "diff": f"{SOW}/diff?from=1&to=2",
        "export waiting": f"{SOW}/revisions/2/export.pdf",  # queued, not rendered yet
    }
    for name, url in pages.items():
        response = engineer.get(url)
        assert response.status_code in (200, 202), name
        # A page with several forms once repeated id="csrf_token", one per form.
        repeated = [i for i, n in Counter(_parse(response.text).ids).items() if n > 1]
        assert repeated == [], name
    sow_page = engineer.get(SOW).text
    assert sow_page.count('name="csrf_token"') >= 3  # each form still carries its token


def test_the_sow_page_folds_the_pre_fill_and_links_its_two_views(engineer: FlaskClient) -> None:
    parsed = _parse(engineer.get(SOW).text)
    tags = parsed.tags
    # The checklist and where values came from are folded away, closed: read on the call.
    details = [a for tag, a in tags if tag == "details"]
    assert len(details) >= 3 and not any("open" in a for a in details)
    # The editor and the preview are two panels of one revision, each a link's target: the
    # page needs no script to switch between them.
    links = {a["href"] for tag, a in tags if tag == "a" and a.get("class") == "tabs__tab"}
    assert links == {"#editor", "#preview"}
    assert {"editor", "preview"} <= set(parsed.ids)
    editor = next(a for tag, a in tags if tag == "textarea" and a.get("id") == "markdown")
    assert int(editor["rows"]) <= 20


@pytest.mark.parametrize("url", [SOW, f"{SOW}/revisions/1"])
def test_a_page_with_the_document_in_it_has_one_top_heading(
    engineer: FlaskClient, url: str
) -> None:
    # The document's own headings sit one level below the page's.
    html = engineer.get(url).text
    assert html.count("<h1") == 1
    assert "<h2>Statement of Work" in html
