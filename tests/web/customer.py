"""A test double of a customer's browser: follows the one-time link, reads CSRF tokens and
versions from pages, and posts forms as a browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import links
from questionnaire.store import db

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VERSION = re.compile(r'id="version" name="version" type="hidden" value="(\d*)"')
SHOWN = re.compile(r'name="_shown" value="([^"]*)"')


def invite(
    app: Flask, customer: str = "Acme Health", definition: str = "small", days: int = 14
) -> str:
    with app.app_context():
        return links.invite(db.session(), customer, definition, timedelta(days=days), "test").token


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def version(html: str) -> str:
    match = VERSION.search(html)
    assert match, "no version on the page"
    return match.group(1)


def shown(html: str) -> dict[str, str]:
    """The page's list of the questions it shows, posted back as a browser does."""
    match = SHOWN.search(html)
    return {"_shown": unescape(match.group(1))} if match else {}


def error_summary(html: str) -> list[tuple[str, str]]:
    return [
        (a, unescape(b)) for a, b in re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    ]


@dataclass
class Customer:
    client: FlaskClient
    token: str

    @property
    def base(self) -> str:
        return f"/r/{self.token}"

    def get(self, path: str = "/", **kwargs: Any) -> Any:
        return self.client.get(self.base + path, **kwargs)

    def start(self) -> Any:
        page = self.get("/")
        return self.client.post(self.base + "/start", data={"csrf_token": csrf_token(page.text)})

    def answer(
        self,
        page_id: str,
        data: dict[str, Any],
        *,
        action: str = "continue",
        stale: str | None = None,
    ) -> Any:
        """GET the page (for its CSRF token and version), then POST ``data`` as a browser would."""
        page = self.get(f"/p/{page_id}")
        assert page.status_code == 200, page.status_code
        form = {
            "csrf_token": csrf_token(page.text),
            "version": stale or version(page.text),
            "action": action,
            **shown(page.text),
            **data,
        }
        return self.client.post(
            f"{self.base}/p/{page_id}", data=form, content_type="multipart/form-data"
        )

    def add_record(self, page_id: str, group: str, data: dict[str, Any], item: str = "new") -> Any:
        page = self.get(f"/p/{page_id}/{group}/{item}")
        form = {"csrf_token": csrf_token(page.text), "version": version(page.text), **data}
        return self.client.post(f"{self.base}/p/{page_id}/{group}/{item}", data=form)

    def submit(self) -> Any:
        review = self.get("/review")
        form = {"csrf_token": csrf_token(review.text), "version": version(review.text)}
        return self.client.post(self.base + "/submit", data=form)

    def complete_small(self, fabric: str = "traditional") -> None:
        """Answer every page of the small questionnaire, ready to submit."""
        assert self.start().status_code == 302
        assert (
            self.answer(
                "about", {"organisation": "Acme", "fabric": fabric, "has_hld": "no"}
            ).status_code
            == 302
        )
        if fabric == "cisco_aci":
            assert self.answer("aci", {"aci_admin": "Network team"}).status_code == 302
        record = {"name": "PACS", "protocol": "tcp", "port": "104"}
        assert self.add_record("services", "services", record).status_code == 302
        assert self.answer("services", {}).status_code == 302
        assert self.answer("last", {"notes": ""}).status_code == 302
