"""Engineer routes need a login, every POST needs CSRF, and login refuses other sites."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from .customer import csrf_token
from .engineer import log_in, make_engineer, sign_in

ARGS = {"engagement_id": "1", "link_id": "1", "number": "1", "upload_id": "abc", "fmt": "pdf"}


def _engineer_rules(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/e") or rule.endpoint in ("auth.login",):
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: ARGS[m.group(1)], rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_engineer_route_requires_login(app: Flask) -> None:
    rules = _engineer_rules(app)
    assert len(rules) >= 15
    client = app.test_client()
    for method, url in rules:
        response = client.open(url, method=method)
        if method == "POST" and response.status_code == 400:
            continue  # refused by CSRF before anything else: also no access
        assert response.status_code == 302, (method, url, response.status_code)
        assert "/e/login" in response.location, (method, url)


def test_every_engineer_post_rejects_a_missing_csrf_token(app: Flask) -> None:
    make_engineer(app)
    client = log_in(app)
    for method, url in _engineer_rules(app):
        if method == "POST":
            assert client.post(url, data={}).status_code == 400, url


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example.com/",
        "https://evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_to_send_you_elsewhere(app: Flask, target: str) -> None:
    make_engineer(app)
    client = app.test_client()
    response = sign_in(client, f"/e/login?next={target}", next_url=target)
    assert response.status_code == 302 and response.location == "/e/"


def test_login_goes_back_to_the_page_asked_for(app: Flask) -> None:
    make_engineer(app)
    client = app.test_client()
    asked = client.get("/e/engagements/new")
    assert asked.status_code == 302
    assert 'value="/e/engagements/new"' in client.get(asked.location).text
    response = sign_in(
        client, asked.location, email="ENG@example.com ", next_url="/e/engagements/new"
    )
    assert response.location == "/e/engagements/new"


def test_wrong_password_is_refused_with_a_clear_message(app: Flask) -> None:
    make_engineer(app)
    client = app.test_client()
    response = sign_in(client, password="nope")
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.text
    assert client.get("/e/").status_code == 302


def test_logging_out_makes_the_old_cookie_useless(app: Flask) -> None:
    make_engineer(app)
    client = log_in(app)
    assert client.get("/e/").status_code == 200
    stolen = client.get_cookie("session")
    assert stolen is not None
    page = client.get("/e/")
    assert client.post("/e/logout", data={"csrf_token": csrf_token(page.text)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen.value)
    assert replay.get("/e/").status_code == 302


def test_session_cookie_flags(app: Flask) -> None:
    make_engineer(app)
    client = app.test_client()
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
