"""Counted records on the customer's pages (issue 12), without JavaScript: "How many sites?"
gives one record each, with no link to add or remove one; lowering the count flags the records
beyond it, on their page and on the check answers page, until the customer removes them; a
record's computed field is shown with its answers; a URL adding or removing one is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from questionnaire import create_app
from tests.conftest import app_config

from .customer import Customer, csrf_token, invite, version

DEFINITION: dict[str, Any] = {
    "id": "counted",
    "title": "Your sites",
    "version": "1.0.0",
    "pages": [
        {
            "id": "count",
            "title": "Sites",
            "questions": [
                {"id": "site_count", "type": "integer", "label": "How many sites?", "min": 0,
                 "max": 5},
            ],
            "next": "sites",
        },
        {
            "id": "sites",
            "title": "Each site",
            "questions": [
                {
                    "id": "sites", "type": "repeat", "label": "Your sites", "item_label": "Site",
                    "max_items": 5, "count": {"var": "site_count"},
                    "questions": [
                        {"id": "name", "type": "text", "label": "Site name"},
                        {"id": "racks", "type": "integer", "label": "Racks", "required": False},
                    ],
                    "computed": [
                        {"id": "units", "label": "Rack units",
                         "logic": {"*": [{"var": "item.racks"}, 42]}},
                    ],
                },
            ],
            "next": "review",
        },
    ],
}  # fmt: skip


@pytest.fixture
def counted_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "counted.yaml").write_text(yaml.safe_dump(DEFINITION, sort_keys=False))
    application = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    yield application
    application.extensions["db_engine"].dispose()


def with_sites(app: Flask, count: int, *names: str) -> Customer:
    visitor = Customer(app.test_client(), invite(app, definition="counted"))
    assert visitor.start().status_code == 302
    assert visitor.answer("count", {"site_count": str(count)}).status_code == 302
    for index, name in enumerate(names):
        saved = visitor.add_record("sites", "sites", {"name": name, "racks": "2"}, str(index))
        assert saved.status_code == 302, saved.text
    return visitor


def post(visitor: Customer, path: str, data: dict[str, str]) -> Any:
    page = visitor.get(path)
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text), **data}
    return visitor.client.post(visitor.base + path, data=form)


def test_the_count_gives_one_record_each_with_no_add_or_remove(counted_app: Flask) -> None:
    visitor = with_sites(counted_app, 3, "Leeds")
    page = visitor.get("/p/sites")
    assert page.status_code == 200
    assert "Site 1" in page.text and "Site 2" in page.text and "Site 3" in page.text
    assert "Leeds" in page.text and "Rack units: 84" in page.text
    assert "/p/sites/sites/2" in page.text  # the empty third is filled in on its page
    assert "/p/sites/sites/new" not in page.text and "/remove" not in page.text
    assert visitor.get("/p/sites/sites/new").status_code == 404
    assert visitor.get("/p/sites/sites/3").status_code == 404
    assert visitor.get("/p/sites/sites/0/remove").status_code == 404
    filled = visitor.add_record("sites", "sites", {"name": "Hull"}, "2")
    assert filled.status_code == 302
    assert "Hull" in visitor.get("/p/sites").text


def test_records_beyond_a_lowered_count_are_flagged_until_removed(counted_app: Flask) -> None:
    visitor = with_sites(counted_app, 2, "Leeds", "York")
    assert visitor.answer("count", {"site_count": "1"}).status_code == 302
    page = visitor.get("/p/sites")
    assert "To remove" in page.text and "York" in page.text
    assert "You said there is 1 site: remove site 2, or change the number" in page.text
    assert "/p/sites/sites/1/remove" in page.text and "/p/sites/sites/0/remove" not in page.text
    review = visitor.get("/review")
    assert "To remove" in review.text and "York" in review.text
    assert "/p/sites/sites/1/remove" in review.text
    assert "Submit answers" not in review.text  # nothing typed goes without the customer seeing
    confirm = visitor.get("/p/sites/sites/1/remove")
    assert "Are you sure you want to remove site 2?" in confirm.text
    removed = post(visitor, "/p/sites/sites/1/remove", {"confirm": "yes"})
    assert removed.status_code == 302
    review = visitor.get("/review")
    assert "York" not in review.text and "To remove" not in review.text
    assert "Submit answers" in review.text


def test_raising_the_count_again_brings_the_flagged_record_back(counted_app: Flask) -> None:
    visitor = with_sites(counted_app, 2, "Leeds", "York")
    visitor.answer("count", {"site_count": "1"})
    visitor.answer("count", {"site_count": "2"})
    page = visitor.get("/p/sites")
    assert "York" in page.text and "To remove" not in page.text
