"""How answers and the pages around them are shown: phone numbers as people write them, text
typed one item per line kept on its lines, a start page that says each thing once, a favicon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from questionnaire import create_app
from questionnaire.engine.answers import display, parse_answer
from questionnaire.engine.model import LongTextQuestion, SimpleTypedQuestion
from tests.conftest import ROOT, app_config

from .customer import Customer, invite
from .engineer import log_in, make_engineer

PHONE = SimpleTypedQuestion(id="phone", type="phone", label="Phone number")
STATIC = ROOT / "questionnaire" / "web" / "static"

CONTACT = """\
id: contact
title: Contact details
version: "1.0.0"
description: Who we call about the project, and the servers to load balance.
pages:
  - id: contact
    title: Your contact
    questions:
      - id: phone
        type: phone
        label: Phone number
      - id: servers
        type: long_text
        label: Real servers
        hint: One per line
    next: review
"""


# -- phone numbers --------------------------------------------------------------------------------


def test_a_phone_number_is_shown_in_international_format() -> None:
    stored = parse_answer(PHONE, "+44 113 496 0123")
    assert stored == "+441134960123"  # stored in E.164, for comparisons and exports
    assert display(PHONE, stored) == "+44 113 496 0123"
    assert display(PHONE, "+16502530000") == "+1 650-253-0000"  # each country's own grouping


@pytest.mark.parametrize("forged", ["call me", "+", "+4411349601234567890", "+999123456"])
def test_a_stored_phone_number_that_does_not_parse_is_shown_as_stored(forged: str) -> None:
    assert display(PHONE, forged) == forged


def test_a_phone_answer_of_another_shape_is_shown_as_any_value_is() -> None:
    assert display(PHONE, 441134960123) == "441134960123"
    assert display(PHONE, ["+441134960123"]) == ""
    assert display(PHONE, None) == ""


def test_long_text_keeps_its_lines_in_the_value_shown() -> None:
    servers = LongTextQuestion(id="servers", type="long_text", label="Servers", max_length=500)
    stored = parse_answer(servers, "10.0.0.1\r\n10.0.0.2\r\n10.0.0.3")
    assert display(servers, stored) == "10.0.0.1\n10.0.0.2\n10.0.0.3"


# -- the pages ------------------------------------------------------------------------------------


BARE = """\
id: bare
title: A questionnaire without a description
version: "1.0.0"
pages:
  - id: only
    title: The only page
    questions:
      - {id: name, type: text, label: Your name}
    next: review
"""


def _app(database_url: str, tmp_path: Path, definitions: Path) -> Flask:
    return create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(definitions)))


@pytest.fixture
def contact_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with small definitions of our own: a phone number and a long text; and a
    questionnaire without a description."""
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "contact.yaml").write_text(CONTACT)
    (definitions / "bare.yaml").write_text(BARE)
    application = _app(database_url, tmp_path, definitions)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def real_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with the real questionnaire, whose description says what the answers are for."""
    application = _app(database_url, tmp_path, ROOT / "definitions")
    yield application
    application.extensions["db_engine"].dispose()


def _answer_value(html: str, label: str) -> str:
    """The HTML of the value in the summary list row whose key is ``label``."""
    found = re.search(
        rf'<dt class="summary-list__key">{re.escape(label)}</dt>\s*'
        r'<dd class="summary-list__value">(.*?)</dd>',
        html,
        re.S,
    )
    assert found, f"no answer to {label!r} on the page"
    return found.group(1)


def _stylesheet_rule(selector: str) -> str:
    css = (STATIC / "app.css").read_text()
    found = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", css)
    assert found, f"no rule for {selector} in app.css"
    return found.group(1)


SERVERS = "pacs-1.example.org\r\npacs-2.example.org\r\n<b>pacs-3</b>"


@pytest.fixture(params=["review", "engineer's answers"])
def summary_page(request: pytest.FixtureRequest, contact_app: Flask) -> str:
    """Once answered: the customer's review page, or the engineer's page of the answers."""
    customer = Customer(contact_app.test_client(), invite(contact_app, definition="contact"))
    assert customer.start().status_code == 302
    answers: dict[str, Any] = {"phone": "+441134960123", "servers": SERVERS}
    assert customer.answer("contact", answers).status_code == 302
    if request.param == "review":
        page = customer.get("/review")
    else:
        make_engineer(contact_app)
        page = log_in(contact_app).get("/e/engagements/1")
    assert page.status_code == 200
    return str(page.text)


def test_pages_show_a_phone_number_as_people_write_it(summary_page: str) -> None:
    assert _answer_value(summary_page, "Phone number") == "+44 113 496 0123"


def test_pages_show_text_typed_one_item_per_line_on_its_lines(summary_page: str) -> None:
    # Escaped as ever, one line per line typed, and nothing around it that would show as a
    # line of its own once line breaks show.
    assert _answer_value(summary_page, "Real servers") == (
        "pacs-1.example.org\npacs-2.example.org\n&lt;b&gt;pacs-3&lt;/b&gt;"
    )
    assert "white-space: pre-line" in _stylesheet_rule(".summary-list__value:not(:has(> p))")


def test_the_start_page_says_each_thing_once(real_app: Flask) -> None:
    start = Customer(real_app.test_client(), invite(real_app, definition="pre_discovery")).get("/")
    assert start.status_code == 200
    text = _main_text(start.text)
    # The description says these; the page once said them again in its own words.
    for phrase in ("Statement of Work", "engineer", "optional questions blank"):
        assert text.count(phrase) == 1, (phrase, text)
    sentences = [s for s in re.split(r"(?<=[.:])\s+", text) if s]
    assert len(sentences) == len(set(sentences)), sentences
    assert "It takes about 20 minutes: you only see the questions that apply to you." in text


def test_the_start_page_says_what_the_answers_are_for_when_the_definition_does_not(
    contact_app: Flask,
) -> None:
    described = Customer(contact_app.test_client(), invite(contact_app, definition="contact"))
    text = _main_text(described.get("/").text)
    assert "Who we call about the project" in text and "Statement of Work" not in text
    assert "You only see the questions that apply to you." in text
    bare = Customer(contact_app.test_client(), invite(contact_app, definition="bare"))
    text = _main_text(bare.get("/").text)
    assert text.count("Statement of Work") == 1
    assert text.count("leave optional questions blank") == 1


def _main_text(html: str) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    assert main
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main.group(1))).split())


def test_every_page_names_a_favicon_that_is_served(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/e/login").text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon, "no favicon on the page"
    served = client.get(icon.group(1))
    assert served.status_code == 200
    assert served.mimetype == "image/svg+xml"
    assert served.data.startswith(b"<svg")
    served.close()
