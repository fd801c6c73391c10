"""Engineer routes need a login, every POST needs CSRF, login refuses other sites, and input
nobody should trust (ids beyond the columns, NUL, odd digits, CRLF) gets a 4xx, never a 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing.converters import NumberConverter

from questionnaire.web import inputs

from .customer import csrf_token, invite
from .engineer import log_in, make_engineer, post, sign_in

ARGS = {"engagement_id": "1", "link_id": "1", "number": "1", "upload_id": "abc", "fmt": "pdf"}


def _engineer_rules(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/e") or rule.endpoint in ("auth.login",):
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: ARGS.get(m.group(1), "1"), rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_engineer_route_requires_login(app: Flask) -> None:
    """With a valid CSRF token (this anonymous session's, from the login page), so that what
    refuses each POST is the login check and not CSRF, and with an engagement for ids to name."""
    invite(app)
    rules = _engineer_rules(app)
    assert len(rules) >= 15 and sum(method == "POST" for method, _ in rules) >= 9
    client = app.test_client()
    token = csrf_token(client.get("/e/login").text)
    for method, url in rules:
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.location.startswith("/e/login"), (method, url)


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


# -- input from the edge: 4xx with a clear message, never a 500 ------------------------------------

NOT_IDS = ["2147483648", "99999999999", "\u0663", "1\u0663", "\u00b2", "-1"]


def _id_rules(app: Flask) -> list[tuple[str, str, list[str]]]:
    """Every engineer route with an ``<int:...>`` argument: (method, rule, its int arguments)."""
    found = []
    for rule in app.url_map.iter_rules():
        names = [n for n, c in rule._converters.items() if isinstance(c, NumberConverter)]
        if rule.rule.startswith("/e") and names:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule, names))
    return found


def _url(rule: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return quote(values.get(match.group(1), ARGS.get(match.group(1), "1")), safe="")

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", value, rule)


def test_ids_beyond_the_column_or_not_in_ascii_digits_match_no_route(app: Flask) -> None:
    invite(app)
    make_engineer(app)
    client = log_in(app)
    token = csrf_token(client.get("/e/").text)
    rules = _id_rules(app)
    assert len(rules) >= 10
    for method, rule, names in rules:
        for name, value in ((n, v) for n in names for v in NOT_IDS):
            url = _url(rule, {name: value})
            data = {"csrf_token": token} if method == "POST" else None
            assert client.open(url, method=method, data=data).status_code == 404, (method, url)
        url = _url(rule, dict.fromkeys(names, "2147483647"))  # fits the column, names nothing
        data = {"csrf_token": token} if method == "POST" else None
        got = client.open(url, method=method, data=data).status_code
        assert 400 <= got < 500, (method, url, got)  # a 400 where the form is checked first


def test_nul_in_a_search_or_a_fact_is_a_clear_400(app: Flask) -> None:
    invite(app)
    make_engineer(app)
    client = log_in(app)
    assert client.get("/e/?q=Acme%00").status_code == 400  # NUL: refused before any view
    search = client.get("/e/?q=Acme%01")
    assert search.status_code == 400 and "must not contain control characters" in search.text
    facts = post(client, "/e/engagements/1", "/e/engagements/1/facts", {"vendor": "A\x00B"})
    assert facts.status_code == 400  # type: ignore[attr-defined]
    assert "Vendor must not contain control characters" in facts.text  # type: ignore[attr-defined]
    assert client.get("/e/engagements/1").status_code == 200


def test_the_new_engagement_form_names_nul_and_odd_digits_as_errors(app: Flask) -> None:
    make_engineer(app)
    client = log_in(app)
    page = client.get("/e/engagements/new")
    data = {"csrf_token": csrf_token(page.text), "definition": "small"}
    nul = client.post("/e/engagements/new", data={**data, "customer": "Acme\x00"})
    assert nul.status_code == 400 and "must not contain control characters" in nul.text
    for days in ("\u00b2", "\u0663", "1e3", "-1", "99999999999999999999"):
        odd = client.post(
            "/e/engagements/new", data={**data, "customer": "Acme", "expires_days": days}
        )
        assert odd.status_code == 400 and "Enter a number of days between 1 and 365" in odd.text


def test_odd_paging_values_show_the_first_page(app: Flask) -> None:
    invite(app)
    make_engineer(app)
    client = log_in(app)
    for query in ("page=%C2%B2", "after=%C2%B2", "before=99999999999", "after=-1", "stage=%01"):
        listing = client.get(f"/e/?{query}")
        assert listing.status_code == 200 and "1 engagement" in listing.text, query


@pytest.mark.parametrize("upload_id", ["%01", "x" * 300, "%C2%B2", "..%2F..%2Fetc", "'%20OR%201"])
def test_a_download_of_a_malformed_id_is_not_found(app: Flask, upload_id: str) -> None:
    make_engineer(app)
    assert log_in(app).get(f"/e/files/{upload_id}").status_code == 404


@settings(deadline=None)  # pure and fast, but the machine may be busy
@given(limit=st.integers(0, 10**12), number=st.integers(0, 10**13))
def test_the_id_pattern_matches_exactly_the_numbers_up_to_its_limit(
    limit: int, number: int
) -> None:
    pattern = re.compile(inputs.digits_up_to(limit))
    assert bool(pattern.fullmatch(str(number))) == (number <= limit)
    assert pattern.fullmatch(str(limit)) and not pattern.fullmatch(str(limit + 1))


def test_nul_in_the_login_email_is_a_wrong_login(app: Flask) -> None:
    make_engineer(app)
    refused = sign_in(app.test_client(), email="eng@example.com\x00")
    assert refused.status_code == 400
    assert "Enter a correct email address and password" in refused.text


@pytest.mark.parametrize(
    "target",
    ["/e/\r\nSet-Cookie: stolen=1", "/e/\nLocation: //evil.example.com", "/e/\x00", "/e/ x"],
)
def test_control_characters_in_next_send_you_to_the_list(app: Flask, target: str) -> None:
    make_engineer(app)
    response = sign_in(app.test_client(), next_url=target)
    assert response.status_code == 302 and response.location == "/e/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")
