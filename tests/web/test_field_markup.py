"""The fields, repeating groups and review rows built in Python (``web/fields.py``,
``web/group_fields.py``, ``web/summary.py``) escape every value they join into their markup:
payloads in every text a definition gives each question type, in typed values, in answers and
in error messages stay text, on every page that shows them. Also: the date field's hint shows
the form its parser reads.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from werkzeug.datastructures import FileStorage

from questionnaire import create_app
from questionnaire.engine import ShownQuestion, evaluate, load_file, load_text
from questionnaire.engine.answers import parse_answer
from questionnaire.web import fields
from questionnaire.web.customer_urls import CustomerUrls
from questionnaire.web.summary import summary
from tests.conftest import ROOT, app_config

from .customer import Customer, csrf_token, invite, version
from .test_security import FILENAME, PAYLOAD, PDF, assert_escaped, post_page

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
#: Every question type, and a valid answer a browser would post for it.
TYPES = {
    "text": "An answer", "long_text": "Two\nlines", "integer": "3", "decimal": "2.5",
    "yes_no": "yes", "choice": "red", "multi_choice": ["red"], "date": "2026-03-27",
    "email": "jo@example.com", "phone": "+44 20 7946 0958", "url": "https://example.com",
    "timezone": "Europe/London", "cidr": "10.0.0.0/8", "port": "443", "ip_address": "10.0.0.1",
    "hostname": "host.example", "file": None,
}  # fmt: skip
URLS = CustomerUrls("/r/token/")


def text(slot: str) -> str:
    return f"{slot} {PAYLOAD}"


def question(kind: str) -> dict[str, Any]:
    """A question of ``kind`` with a payload in every text it has."""
    q: dict[str, Any] = {
        "id": f"q_{kind}", "type": kind, "label": text("Label"), "hint": text("Hint"),
        "help": text("Help"), "required": kind != "file",
        "notes": [{"text": text("Warning"), "kind": "warning"}, {"text": text("Info")}],
    }  # fmt: skip
    if kind in ("choice", "multi_choice"):
        q["choices"] = [
            {"value": "red", "label": text("Red"), "hint": text("Red hint")},
            {"value": "blue", "label": text("Blue")},
        ]
    if kind in ("integer", "decimal"):
        q["unit"] = text("Unit")
    if kind == "file":
        q.update(accept=["pdf"], max_size_mb=1)
    return q


def definition() -> dict[str, Any]:
    group = {
        "id": "items", "type": "repeat", "label": text("Items"), "hint": text("Items hint"),
        "item_label": text("Thing"), "required": False,
        "questions": [{"id": "name", "type": "text", "label": text("Name"), "hint": text("Name hint")}],
    }  # fmt: skip
    return {
        "id": "payloads", "title": text("Title"), "version": "1.0.0",
        "pages": [
            {"id": "every", "title": text("Page"), "intro": text("Intro"),
             "notes": [{"text": text("Page note")}],
             "questions": [*(question(kind) for kind in TYPES), group], "next": "review"},
        ],
    }  # fmt: skip


@pytest.fixture
def payload_app(database_url: str, tmp_path: Path) -> Any:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "payloads.yaml").write_text(yaml.safe_dump(definition(), allow_unicode=True))
    app = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    assert "payloads" in app.extensions["services"].definitions.current
    yield app
    app.extensions["db_engine"].dispose()


def every_slot_shown(html: str, kind: str) -> None:
    """Each text the question has appears, escaped."""
    slots = ["Label", "Hint", "Help", "Warning", "Info"]
    slots += ["Red", "Red hint", "Blue"] if kind in ("choice", "multi_choice") else []
    slots += ["Unit"] if kind in ("integer", "decimal") else []
    for slot in slots:
        assert f"{slot} {ESCAPED}" in html, (kind, slot)


# -- the builders, for every question type --------------------------------------------------------


def test_every_type_s_field_escapes_its_texts_value_and_error() -> None:
    q = load_text(yaml.safe_dump(definition()), "payloads.yaml")
    state = evaluate(q, {}, trusted=True).pages["every"]
    assert {shown.type for shown in state.questions} == {*TYPES, "repeat"}
    for shown in state.questions:
        if shown.type == "repeat":
            continue
        value: object = [PAYLOAD] if shown.type == "multi_choice" else PAYLOAD
        if shown.type == "file":
            value = {"name": PAYLOAD, "size": 10, "kind": "pdf", "id": "x"}
        html = str(fields.field(shown, value, text("Error")))
        assert_escaped(shown.type, html)
        every_slot_shown(html, shown.type)
        assert f"Error {ESCAPED}" in html, shown.type
        if shown.type not in ("choice", "multi_choice", "yes_no"):
            assert ESCAPED in html.replace(f"Error {ESCAPED}", ""), shown.type  # the value


def test_a_group_s_records_and_the_summary_escape_answers_labels_and_errors() -> None:
    q = load_text(yaml.safe_dump(definition()), "payloads.yaml")
    answers = {"q_text": PAYLOAD, "q_long_text": PAYLOAD, "items": [{"name": PAYLOAD}]}
    flow = evaluate(q, answers, trusted=True)
    state = flow.pages["every"]
    errors = {"items": text("Group error"), "items[0].name": text("Record error")}
    page = str(fields.questions(state, {}, errors, URLS))
    review = str(summary(flow, URLS))
    for name, html in (("questions", page), ("summary", review)):
        assert_escaped(name, html)
        assert f"Name {ESCAPED}: {ESCAPED}" in html, name  # a record's field and its answer
        assert f"Thing {ESCAPED} 1" in html, name
    for slot in ("Items", "Items hint", "Page note", "Group error", "Record error"):
        assert f"{slot} {ESCAPED}" in page, slot
    assert f'<dd class="summary-list__value">{ESCAPED}</dd>' in review  # a text answer
    assert f'<span class="visually-hidden"> Label {ESCAPED}</span>' in review  # its Change link


# -- the pages that show them ---------------------------------------------------------------------


def test_payloads_typed_into_every_type_come_back_as_text_on_every_page(
    payload_app: Flask,
) -> None:
    app = payload_app
    visitor = Customer(app.test_client(), invite(app, definition="payloads"))
    assert visitor.start().status_code == 302
    typed = {f"q_{kind}": PAYLOAD for kind in TYPES if kind != "file"}
    page = visitor.get("/p/every")
    preview = visitor.client.post(
        f"{visitor.base}/p/every/preview",
        data={"csrf_token": csrf_token(page.text), "version": version(page.text), **typed},
    )
    pages = [("page", page), ("errors", post_page(visitor, "every", typed)), ("preview", preview)]
    assert [response.status_code for _, response in pages] == [200, 400, 200]
    valid = {f"q_{kind}": value for kind, value in TYPES.items() if value is not None}
    valid |= {"q_text": PAYLOAD, "q_long_text": PAYLOAD}
    file = FileStorage(io.BytesIO(PDF), FILENAME, "application/pdf")
    assert post_page(visitor, "every", {**valid, "q_file": file}).status_code == 302
    record = visitor.add_record("every", "items", {"name": PAYLOAD})
    assert record.status_code == 302
    pages += [
        ("record with errors", visitor.add_record("every", "items", {"name": ""})),
        ("record", visitor.get("/p/every/items/0")),
        ("page with answers", visitor.get("/p/every")),
        ("review", visitor.get("/review")),
    ]
    assert visitor.submit().status_code == 302
    pages.append(("done", visitor.get("/done")))
    for name, response in pages:
        assert response.status_code in (200, 400), name
        assert_escaped(name, response.text)
    for kind in TYPES:
        every_slot_shown(pages[1][1].text, kind)  # the page with every error
    assert f'value="{ESCAPED}"' in pages[1][1].text  # a typed value in its input
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in dict(pages)["page with answers"].text


# -- the date field -------------------------------------------------------------------------------


def test_the_date_field_is_typed_as_its_hint_shows_and_the_parser_reads_that() -> None:
    q = load_text(yaml.safe_dump(definition()), "payloads.yaml")
    [shown] = [s for s in evaluate(q, {}).pages["every"].questions if s.type == "date"]
    plain = dataclasses.replace(shown, hint=None)
    html = str(fields.field(plain, "", None))
    assert 'type="date"' not in html and 'type="text"' in html  # no browser's mm/dd/yyyy box
    assert f'<div id="q_date-hint" class="hint">{fields.DATE_EXAMPLE}</div>' in html
    example = re.search(r"\d{4}-\d{2}-\d{2}", fields.DATE_EXAMPLE)
    assert example and parse_answer(shown.question, example.group()) == example.group()


def test_the_real_definitions_date_hints_show_a_date_the_parser_reads() -> None:
    for path in sorted((ROOT / "definitions").glob("*.yaml")):
        q = load_file(path)
        for page in q.definition.pages:
            for question in page.questions:
                if question.type != "date":
                    continue
                shown = ShownQuestion(
                    id=question.id, question=question, label=question.label,
                    hint=question.hint, help=None, required=False, value=None,
                )  # fmt: skip
                hint = fields.shown_hint(shown)
                found = re.search(r"\d{4}-\d{2}-\d{2}", hint or "")
                assert found, (path.name, question.id, hint)
                assert parse_answer(question, found.group()) == found.group()


def test_a_searchable_select_escapes_its_texts_and_error() -> None:
    """``web/select_field.py`` builds its markup in Python too (``MARKED_SAFE``)."""
    searchable = {**question("choice"), "id": "q_searchable", "widget": "searchable"}
    doc = {"id": "searchable", "title": "Searchable", "version": "1.0.0",
           "pages": [{"id": "p", "title": "P", "questions": [searchable], "next": "review"}]}  # fmt: skip
    (shown,) = (
        evaluate(load_text(yaml.safe_dump(doc), "s.yaml"), {}, trusted=True).pages["p"].questions
    )
    html = str(fields.field(shown, PAYLOAD, text("Error")))
    assert 'data-module="searchable-select"' in html
    assert_escaped("searchable", html)
    for slot in ("Label", "Hint", "Help", "Warning", "Info", "Red", "Blue", "Error"):
        assert f"{slot} {ESCAPED}" in html, slot
