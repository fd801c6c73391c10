"""Test helpers for the engineers' workspace."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import accounts
from questionnaire.store import db

from .customer import csrf_token

PASSWORD = "correct horse battery staple"


def make_engineer(app: Flask, email: str = "eng@example.com") -> None:
    with app.app_context():
        accounts.create_user(db.session(), email, PASSWORD, "Engineer")


def sign_in(
    client: FlaskClient,
    page_url: str = "/e/login",
    email: str = "eng@example.com",
    password: str = PASSWORD,
    next_url: str | None = None,
) -> Any:
    """Open the sign-in page at ``page_url`` and post the form, as a browser would."""
    page = client.get(page_url)
    data = {"csrf_token": csrf_token(page.text), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/e/login", data=data)


def log_in(app: Flask, email: str = "eng@example.com") -> FlaskClient:
    client = app.test_client()
    result = sign_in(client, email=email)
    assert result.status_code == 302, result.text
    return client


def post(
    client: FlaskClient, page_url: str, url: str, data: dict[str, str] | None = None
) -> object:
    """POST ``url`` with the CSRF token of the page at ``page_url``, as a browser would."""
    page = client.get(page_url)
    return client.post(url, data={"csrf_token": csrf_token(page.text), **(data or {})})
