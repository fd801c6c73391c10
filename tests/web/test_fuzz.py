"""No input makes the app answer 5xx: every route of ``app.url_map``, for no login, for a
customer with a working link and for a signed-in engineer, gets random path values, query
strings and bodies (forms with and without a valid CSRF token, multipart parts without a name,
JSON arrays, numbers and broken JSON, NUL and non-ASCII digits everywhere)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from .customer import Customer, csrf_token, invite
from .engineer import log_in, make_engineer
from .state import run_jobs

NASTY_TEXT = [
    "", "0", "1", "-1", "2147483648", "9" * 40, "²", "١٢", "1e9", "nan", "\x00", "a\x00b",
    "%00", "../../etc/passwd", "new", "about", "services", "review", "<script>", "\r\nSet-Cookie: x=1",
    "é" * 300, " ", "[]", "{}", "null",
]  # fmt: skip
text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=40))
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
BODIES = ("form", "multipart", "nameless", "json", "broken", "none")


@dataclass
class Visitor:
    name: str
    client: FlaskClient
    token: str | None
    csrf: str


def path_for(rule: Rule, visitor: Visitor, draw: Any) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name == "token" and visitor.token and draw(st.booleans()):
            return visitor.token
        if converter == "int":
            return str(draw(st.one_of(st.integers(0, 5), st.integers(0, 2**70))))
        raw = draw(text)
        return raw.replace("/", "%2F").replace("?", "%3F").replace("#", "%23") or "x"

    return PARAM.sub(value, rule.rule)


@st.composite
def requests(draw: Any, rules: list[Rule], visitors: list[Visitor]) -> tuple[Any, ...]:
    rule = draw(st.sampled_from(rules))
    visitor = draw(st.sampled_from(visitors))
    method = draw(st.sampled_from(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})))
    path = path_for(rule, visitor, draw)
    query = draw(st.dictionaries(st.sampled_from(["q", "page", "stage", "from", "to", "next",
                                                   "submitted"]), text, max_size=3))  # fmt: skip
    fields = draw(st.dictionaries(text, text, max_size=4))
    if draw(st.booleans()):
        fields["csrf_token"] = visitor.csrf
    for key in draw(st.lists(st.sampled_from(["version", "action", "markdown", "edited_from",
                                              "note", "email", "password", "confirm", "_shown",
                                              "customer", "expires_days", "definition"]),
                             max_size=4)):  # fmt: skip
        fields[key] = draw(text)
    body = draw(st.sampled_from(BODIES))
    return visitor, method, path, query, fields, body


def send(
    visitor: Visitor,
    method: str,
    path: str,
    query: dict[str, str],
    fields: dict[str, str],
    body: str,
) -> Any:
    kwargs: dict[str, Any] = {"query_string": query}
    if method == "POST":
        if body == "form":
            kwargs["data"] = fields
        elif body == "multipart":
            kwargs["data"] = {**fields, "hld": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")}
            kwargs["content_type"] = "multipart/form-data"
        elif body == "nameless":
            boundary = "fuzzboundary"
            raw = (f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
                   f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
                   f"{visitor.csrf}\r\n--{boundary}--\r\n")  # fmt: skip
            kwargs["data"] = raw.encode()
            kwargs["content_type"] = f"multipart/form-data; boundary={boundary}"
        elif body == "json":
            kwargs["json"] = [fields] if fields else 7
        elif body == "broken":
            kwargs["data"] = b'{"csrf_token": '
            kwargs["content_type"] = "application/json"
    return visitor.client.open(path, method=method, **kwargs)


def visitors(app: Flask) -> list[Visitor]:
    anonymous = app.test_client()
    anonymous_csrf = csrf_token(anonymous.get("/e/login").text)
    customer = Customer(app.test_client(), invite(app))
    customer.complete_small()
    customer_csrf = csrf_token(customer.get("/p/about").text)
    submitted = Customer(app.test_client(), invite(app, customer="Submitted Ltd"))
    submitted.complete_small()
    assert submitted.submit().status_code == 302
    run_jobs(app)
    make_engineer(app)
    engineer = log_in(app)
    engineer_csrf = csrf_token(engineer.get("/e/engagements/1").text)
    return [
        Visitor("no login", anonymous, None, anonymous_csrf),
        Visitor("customer", customer.client, customer.token, customer_csrf),
        Visitor("submitted customer", submitted.client, submitted.token, customer_csrf),
        Visitor("engineer", engineer, customer.token, engineer_csrf),
    ]


def routes(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def concrete(rule: Rule, visitor: Visitor, nasty: str) -> str:
    """The rule's path with every value ``nasty``, except a working token where there is one."""

    def value(match: re.Match[str]) -> str:
        if match.group(2) == "token" and visitor.token:
            return visitor.token
        return "1" if match.group(1) == "int" else nasty

    return PARAM.sub(value, rule.rule)


def check(response: Any, what: str) -> None:
    response.close()
    assert response.status_code < 500, f"{what}: {response.status_code}"


def test_every_route_survives_every_kind_of_body_from_everyone(app: Flask) -> None:
    """The sweep: each route, for each visitor, with each kind of body and nasty values in the
    fields the views read (a valid CSRF token included, so the views run)."""
    people = visitors(app)
    fields = {"csrf_token": "", "version": "²", "action": "later", "markdown": "\x00",
              "edited_from": "١", "note": "a\x00b", "email": "eng@example.com\x00",
              "password": "x", "confirm": "yes", "_shown": "\x00", "customer": "\x00",
              "expires_days": "²", "definition": "small", "next": "/e/\r\nX: y"}  # fmt: skip
    for rule in routes(app):
        for visitor in people:
            for nasty in ("²", "2147483648", "about"):
                path = concrete(rule, visitor, nasty)
                check(
                    visitor.client.get(path, query_string={"page": "²", "q": "\x00x", "from": "١"}),
                    f"{visitor.name} GET {path}",
                )
                if "POST" not in (rule.methods or ()):
                    continue
                for body in BODIES:
                    posted = {**fields, "csrf_token": visitor.csrf}
                    check(
                        send(visitor, "POST", path, {}, posted, body),
                        f"{visitor.name} POST {path} {body}",
                    )


def test_no_route_answers_5xx_to_any_input(app: Flask) -> None:
    """The random search beyond the sweep (derandomized: the same examples in every run)."""
    rules = routes(app)
    people = visitors(app)
    failures: list[str] = []

    @settings(max_examples=400, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
    @given(requests(rules, people))
    def probe(request: tuple[Any, ...]) -> None:
        visitor, method, path, query, fields, body = request
        response = send(visitor, method, path, query, fields, body)
        response.close()
        if response.status_code >= 500:
            failures.append(
                f"{visitor.name} {method} {path} {query} {fields} {body}: {response.status_code}"
            )
        assert response.status_code < 500, failures[-1]

    probe()


@pytest.mark.parametrize(
    "path",
    [
        "/e/engagements/2147483648",
        "/e/engagements/99999999999999999999",
        "/e/engagements/1/sow/revisions/2147483648",
    ],
)
def test_ids_beyond_the_column_are_not_found(app: Flask, path: str) -> None:
    make_engineer(app)
    assert log_in(app).get(path).status_code == 404
