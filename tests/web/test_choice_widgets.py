"""A searchable select with a filtered list read from a CSV file, on the customer's pages
(issue 12): a plain GOV.UK select without JavaScript, offering only the cities of the country
answered earlier, whose errors the summary links to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from questionnaire import create_app
from tests.conftest import app_config

from .customer import Customer, error_summary, invite

CITIES = "value,label,country\nleeds,Leeds,uk\nyork,York,uk\nlyon,Lyon,fr\nparis,Paris,fr\n"
DEFINITION: dict[str, Any] = {
    "id": "cities",
    "title": "Where you are",
    "version": "1.0.0",
    "choice_lists": {"cities": {"csv": "cities.csv"}},
    "pages": [
        {
            "id": "country",
            "title": "Your country",
            "questions": [
                {
                    "id": "country",
                    "type": "choice",
                    "label": "Country",
                    "choices": [{"value": "uk", "label": "UK"}, {"value": "fr", "label": "France"}],
                }
            ],
            "next": "city",
        },
        {
            "id": "city",
            "title": "Your city",
            "questions": [
                {
                    "id": "city",
                    "type": "choice",
                    "label": "Which city?",
                    "hint": "Start typing its name",
                    "widget": "searchable",
                    "choices": "cities",
                    "choice_filter": {"==": [{"var": "option.country"}, {"var": "country"}]},
                }
            ],
            "next": "review",
        },
    ],
}


@pytest.fixture
def cities_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "cities.yaml").write_text(yaml.safe_dump(DEFINITION, sort_keys=False))
    (folder / "cities.csv").write_text(CITIES)
    application = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    assert "cities" in application.extensions["services"].definitions.current
    yield application
    application.extensions["db_engine"].dispose()


def at_city(app: Flask, country: str = "fr") -> Customer:
    visitor = Customer(app.test_client(), invite(app, definition="cities"))
    visitor.start()
    assert visitor.answer("country", {"country": country}).status_code == 302
    return visitor


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


def test_a_searchable_question_is_a_plain_select_of_the_filtered_options(
    cities_app: Flask,
) -> None:
    page = at_city(cities_app).get("/p/city").text
    assert '<label class="label" id="city-label" for="city">Which city?</label>' in page
    assert '<div id="city-hint" class="hint">Start typing its name</div>' in page
    assert re.search(
        r'<select class="select" id="city" name="city" data-module="searchable-select" '
        r'aria-describedby="city-hint">',
        page,
    )
    assert options(page) == ["", "lyon", "paris"]
    assert 'type="radio"' not in page
    assert "searchable-select.js" in page


def test_an_unanswered_select_is_linked_from_the_error_summary(cities_app: Flask) -> None:
    refused = at_city(cities_app).answer("city", {"city": ""})
    assert refused.status_code == 400
    assert error_summary(refused.text) == [("city", "Select an answer to ‘Which city?’")]
    assert 'class="select select--error" id="city"' in refused.text
    assert 'aria-describedby="city-hint city-error"' in refused.text
    assert '<p id="city-error" class="error-message">' in refused.text


def test_a_city_of_another_country_is_refused_and_one_of_its_own_kept(
    cities_app: Flask,
) -> None:
    visitor = at_city(cities_app)
    refused = visitor.answer("city", {"city": "york"})
    assert refused.status_code == 400
    assert error_summary(refused.text) == [
        ("city", "Select one of the options offered for ‘Which city?’")
    ]
    assert visitor.answer("city", {"city": "paris"}).status_code == 302
    assert re.search(r'<option value="paris" selected>', visitor.get("/p/city").text)
