"""Test helpers for the engineers' workspace."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import accounts
from questionnaire.store import db

from .customer import csrf_token

PASSWORD = "correct horse battery staple"


def make_engineer(app: Flask, email: str = "eng@example.com") -> None:
    with app.app_context():
        accounts.create_user(db.session(), email, PASSWORD, "Engineer")


def log_in(app: Flask, email: str = "eng@example.com") -> FlaskClient:
    client = app.test_client()
    page = client.get("/e/login")
    result = client.post(
        "/e/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD}
    )
    assert result.status_code == 302, result.text
    return client


def post(
    client: FlaskClient, page_url: str, url: str, data: dict[str, str] | None = None
) -> object:
    """POST ``url`` with the CSRF token of the page at ``page_url``, as a browser would."""
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})})
