"""Nested records on the customer's pages (issue 12): a service's record lists its real
servers, each added, changed and removed on a page of its own without JavaScript; the check
answers page shows them under their service; removing a service says its servers go too; a
URL or POST naming a record that does not exist is a 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from questionnaire import create_app
from tests.conftest import app_config

from .customer import Customer, csrf_token, error_summary, invite, version

SERVERS = {
    "id": "real_servers", "type": "repeat", "label": "Real servers", "item_label": "Real server",
    "show_if": {"!==": [{"var": "item.mode"}, "none"]},
    "questions": [
        {"id": "ip", "type": "ip_address", "label": "IP address"},
        {"id": "port", "type": "port", "label": "Port", "required": False},
    ],
}  # fmt: skip
DEFINITION: dict[str, Any] = {
    "id": "nested",
    "title": "Your services",
    "version": "1.0.0",
    "pages": [
        {
            "id": "services",
            "title": "Services",
            "questions": [
                {
                    "id": "services",
                    "type": "repeat",
                    "label": "Services",
                    "item_label": "Service",
                    "min_items": 1,
                    "questions": [
                        {"id": "name", "type": "text", "label": "Name"},
                        {
                            "id": "mode",
                            "type": "choice",
                            "label": "Mode",
                            "choices": [
                                {"value": "nat", "label": "NAT"},
                                {"value": "none", "label": "None"},
                            ],
                        },
                        SERVERS,
                    ],
                },
            ],
            "next": "review",
        }
    ],
}


@pytest.fixture
def nested_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "nested.yaml").write_text(yaml.safe_dump(DEFINITION, sort_keys=False))
    application = create_app(app_config(database_url, tmp_path, DEFINITIONS_DIR=str(folder)))
    yield application
    application.extensions["db_engine"].dispose()


def started(app: Flask) -> Customer:
    visitor = Customer(app.test_client(), invite(app, definition="nested"))
    assert visitor.start().status_code == 302
    return visitor


def with_service(app: Flask) -> Customer:
    visitor = started(app)
    saved = visitor.add_record("services", "services", {"name": "Web", "mode": "nat"})
    assert saved.status_code == 302
    return visitor


def post(visitor: Customer, path: str, data: dict[str, str]) -> Any:
    page = visitor.get(path)
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text), **data}
    return visitor.client.post(visitor.base + path, data=form)


def test_a_new_service_says_its_servers_come_once_it_is_saved(nested_app: Flask) -> None:
    page = started(nested_app).get("/p/services/services/new")
    assert page.status_code == 200
    assert "Once you have saved this service, you can add its real servers" in page.text
    assert 'name="real_servers"' not in page.text


def test_real_servers_are_added_changed_and_removed_one_page_each(nested_app: Flask) -> None:
    visitor = with_service(nested_app)
    service = visitor.get("/p/services/services/0")
    assert "You have not added any yet." in service.text
    assert 'href="/r/' in service.text and "/p/services/services/0/real_servers/new" in service.text
    added = visitor.add_record(
        "services", "services", {"ip": "10.0.0.1", "port": "80"}, "0/real_servers/new"
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith("/p/services/services/0#real_servers")
    visitor.add_record("services", "services", {"ip": "10.0.0.2"}, "0/real_servers/new")
    page = visitor.get("/p/services/services/0/real_servers/1")
    assert page.status_code == 200 and 'value="10.0.0.2"' in page.text
    assert "Service 1: Web" in page.text
    changed = visitor.add_record(
        "services", "services", {"ip": "10.0.0.3", "port": "8080"}, "0/real_servers/1"
    )
    assert changed.status_code == 302
    service = visitor.get("/p/services/services/0")
    assert (
        "10.0.0.1" in service.text and "10.0.0.3" in service.text and "10.0.0.2" not in service.text
    )
    confirm = visitor.get("/p/services/services/0/real_servers/0/remove")
    assert "Are you sure you want to remove real server 1?" in confirm.text
    removed = post(visitor, "/p/services/services/0/real_servers/0/remove", {"confirm": "yes"})
    assert removed.status_code == 302
    service = visitor.get("/p/services/services/0")
    assert "10.0.0.1" not in service.text and "10.0.0.3" in service.text


def test_a_bad_real_server_is_told_and_nothing_saved(nested_app: Flask) -> None:
    visitor = with_service(nested_app)
    refused = visitor.add_record("services", "services", {"ip": "nope"}, "0/real_servers/new")
    assert refused.status_code == 400
    assert [field for field, _ in error_summary(refused.text)] == ["ip"]
    assert 'value="nope"' in refused.text
    assert "You have not added any yet." in visitor.get("/p/services/services/0").text


def test_saving_the_service_keeps_its_servers_and_check_answers_nests_them(
    nested_app: Flask,
) -> None:
    visitor = with_service(nested_app)
    visitor.add_record(
        "services", "services", {"ip": "10.0.0.1", "port": "443"}, "0/real_servers/new"
    )
    visitor.add_record("services", "services", {"name": "Web 2", "mode": "nat"}, "0")
    assert visitor.answer("services", {}).status_code == 302
    review = visitor.get("/review")
    assert "Web 2" in review.text
    assert (
        "Real servers:<ul" in review.text
        and "<li>Real server 1: IP address: 10.0.0.1; Port: 443</li>" in review.text
    )


def test_removing_a_service_says_its_servers_go_too(nested_app: Flask) -> None:
    visitor = with_service(nested_app)
    visitor.add_record("services", "services", {"ip": "10.0.0.1"}, "0/real_servers/new")
    visitor.add_record("services", "services", {"ip": "10.0.0.2"}, "0/real_servers/new")
    confirm = visitor.get("/p/services/services/0/remove")
    assert "This also removes its 2 real servers." in confirm.text
    assert post(visitor, "/p/services/services/0/remove", {"confirm": "yes"}).status_code == 302
    assert "10.0.0.1" not in visitor.get("/p/services").text


def test_a_hidden_sub_group_has_no_pages(nested_app: Flask) -> None:
    visitor = started(nested_app)
    visitor.add_record("services", "services", {"name": "Web", "mode": "none"})
    assert "real_servers/new" not in visitor.get("/p/services/services/0").text
    assert visitor.get("/p/services/services/0/real_servers/new").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/p/services/services/1/real_servers/new", "/p/services/services/0/real_servers/0",
     "/p/services/services/0/real_servers/0/remove", "/p/services/services/0/nope/new",
     "/p/services/services/x/real_servers/new", "/p/services/services/0/real_servers/99999",
     "/p/services/services/0/name/new"],
)  # fmt: skip
def test_a_record_that_does_not_exist_is_a_404(nested_app: Flask, path: str) -> None:
    visitor = with_service(nested_app)
    token = csrf_token(visitor.get("/p/services/services/0").text)
    assert visitor.get(path).status_code == 404
    crafted = visitor.client.post(
        visitor.base + path,
        data={"csrf_token": token, "version": "1", "ip": "10.0.0.9", "confirm": "yes"},
    )
    assert crafted.status_code == 404


def test_markup_in_answers_and_labels_is_escaped_on_nested_pages(nested_app: Flask) -> None:
    visitor = started(nested_app)
    visitor.add_record("services", "services", {"name": "<b>Web</b>", "mode": "nat"})
    page = visitor.get("/p/services/services/0/real_servers/new")
    assert "Service 1: &lt;b&gt;Web&lt;/b&gt;" in page.text and "<b>Web</b>" not in page.text
    visitor.add_record("services", "services", {"ip": "10.0.0.1"}, "0/real_servers/new")
    assert "<b>" not in visitor.get("/p/services").text
