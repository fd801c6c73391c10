"""The definition format's second edition on the customer's pages (issue 12): the start page's
wording from the definition, a page skipped by its own condition, a starting value filled in,
and pattern, relative-date and piped constraint messages in the error summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from questionnaire import create_app
from tests.conftest import app_config

from .customer import Customer, error_summary, invite

DEFINITION: dict[str, Any] = {
    "id": "second",
    "title": "Tell us about your office move",
    "version": "1.0.0",
    "description": "We use your answers to plan the move.",
    "audience": "The person who manages your office building",
    "estimated_minutes": 7,
    "choice_lists": {
        "sites": [{"value": "leeds", "label": "Leeds"}, {"value": "york", "label": "York"}]
    },
    "pages": [
        {
            "id": "about",
            "title": "About you",
            "questions": [
                {"id": "organisation", "type": "text", "label": "Organisation"},
                {"id": "moving", "type": "yes_no", "label": "Are you moving?"},
            ],
            "next": "move",
        },
        {
            "id": "move",
            "title": "Your move",
            "show_if": {"var": "moving"},
            "questions": [
                {"id": "site", "type": "choice", "label": "Where to?", "choices": "sites"},
                {"id": "move_date", "type": "date", "label": "When?", "min": "today"},
            ],
            "next": "contact",
        },
        {
            "id": "contact",
            "title": "Contact",
            "questions": [
                {
                    "id": "billing_name",
                    "type": "text",
                    "label": "Name on invoices",
                    "default": {"var": "organisation"},
                    "pattern": {
                        "regex": "[A-Za-z ]+",
                        "message": "{value} has characters we cannot print",
                    },
                },
            ],
            "next": "review",
        },
    ],
}


@pytest.fixture
def second_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "second.yaml").write_text(yaml.safe_dump(DEFINITION, sort_keys=False))
    application = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    assert "second" in application.extensions["services"].definitions.current
    yield application
    application.extensions["db_engine"].dispose()


def test_the_start_page_speaks_the_definitions_words(second_app: Flask) -> None:
    visitor = Customer(second_app.test_client(), invite(second_app, definition="second"))
    page = visitor.get("/")
    assert "Tell us about your office move" in page.text
    assert "Who should answer" in page.text
    assert "The person who manages your office building" in page.text
    assert "about 7 minutes" in page.text
    assert "load balancer" not in page.text and "Statement of Work" not in page.text


def test_a_skipped_page_is_passed_by_and_a_default_is_filled_in(second_app: Flask) -> None:
    visitor = Customer(second_app.test_client(), invite(second_app, definition="second"))
    assert visitor.start().status_code == 302
    moved = visitor.answer("about", {"organisation": "Acme 2", "moving": "no"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/p/contact")
    contact = visitor.get("/p/contact")
    assert 'value="Acme 2"' in contact.text  # the default, from an earlier answer
    refused = visitor.answer("contact", {"billing_name": "Acme 2"})
    assert refused.status_code == 400
    assert error_summary(refused.text) == [
        ("billing_name", "Acme 2 has characters we cannot print")
    ]
    assert visitor.get("/p/move").status_code == 302  # not on the path: sent where they are


def test_a_date_before_today_is_told_in_words(second_app: Flask) -> None:
    visitor = Customer(second_app.test_client(), invite(second_app, definition="second"))
    visitor.start()
    visitor.answer("about", {"organisation": "Acme", "moving": "yes"})
    refused = visitor.answer("move", {"site": "york", "move_date": "2020-01-01"})
    assert refused.status_code == 400
    ((field, message),) = error_summary(refused.text)
    assert field == "move_date" and message.startswith("Enter a date on or after ")
    assert "York" in refused.text  # the named list's options, offered
