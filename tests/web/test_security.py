"""Sessions, CSRF, headers, access between respondents, output encoding and hostile input
(security plan lines 9-13, 22 and 23)."""

from __future__ import annotations

import gc
import io
import re
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from itsdangerous import TimestampSigner
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from questionnaire import create_app
from questionnaire.web.markdown import render as render_markdown
from tests.conftest import ROOT, app_config

from .customer import Customer, csrf_token, error_summary, invite, version
from .state import answers, dump, with_config

TEMPLATES = ROOT / "questionnaire" / "web" / "templates"
ABOUT = {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


def started(app: Flask, customer: str = "Acme Health") -> Customer:
    visitor = Customer(app.test_client(), invite(app, customer=customer))
    assert visitor.start().status_code == 302
    return visitor


def post_page(visitor: Customer, page_id: str, data: dict[str, Any]) -> Any:
    """POST a page as a browser would (multipart), with the CSRF token and version it was served
    with. The body is encoded in memory: the test client would spool a large one to a temporary
    file that it never closes."""
    page = visitor.get(f"/p/{page_id}")
    form = {
        "csrf_token": csrf_token(page.text),
        "version": version(page.text),
        "action": "continue",
        **data,
    }
    boundary, body = encode_multipart(form)
    content_type = f"multipart/form-data; boundary={boundary}"
    return visitor.client.post(f"{visitor.base}/p/{page_id}", data=body, content_type=content_type)


def every_page(app: Flask) -> list[tuple[str, Any]]:
    """Every kind of customer page, plus the error pages, as (name, response)."""
    fresh = Customer(app.test_client(), invite(app))
    visitor = started(app)
    visitor.answer("about", ABOUT)
    visitor.add_record("services", "services", {"name": "PACS", "protocol": "tcp", "port": "104"})
    responses = [
        ("start", fresh.get("/")),
        ("start, started", visitor.get("/")),
        ("page", visitor.get("/p/about")),
        (
            "page with errors",
            visitor.answer("about", {"organisation": "Acme", "fabric": "nonsense"}),
        ),
        ("new record", visitor.get("/p/services/services/new")),
        ("record", visitor.get("/p/services/services/0")),
        ("remove", visitor.get("/p/services/services/0/remove")),
        ("review", visitor.get("/review")),
        ("unknown link", app.test_client().get("/r/" + "A" * 43 + "/")),
        ("missing CSRF token", visitor.client.post(f"{visitor.base}/submit", data={})),
    ]
    assert visitor.answer("about", ABOUT).status_code == 302
    assert visitor.answer("services", {}, action="later").status_code == 302
    responses.append(("saved", visitor.get("/saved")))
    visitor.answer("last", {"notes": ""})
    assert visitor.submit().status_code == 302
    responses.append(("done", visitor.get("/done?submitted=1")))
    return responses


# -- 11. Headers ---------------------------------------------------------------------------------


def csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def test_every_page_sends_the_security_headers(app: Flask) -> None:
    for name, page in every_page(app):
        headers = page.headers
        policy = csp(headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], name
        assert policy["script-src"] == ["'self'"], name
        assert policy["object-src"] == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        unsafe = [
            v for values in policy.values() for v in values if v.startswith("'unsafe-") or v == "*"
        ]
        assert unsafe == [], name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Cache-Control"] == "no-store", name
        assert "Strict-Transport-Security" not in headers, name


def test_pages_need_no_inline_script_or_style_under_the_policy(app: Flask) -> None:
    for name, page in every_page(app):
        html = page.text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], name
        assert "<style" not in html and " style=" not in html, name
        assert re.findall(r"\son[a-z]+\s*=", html) == [], name
        assert "javascript:" not in html, name


def test_static_files_are_nosniff_and_cacheable(app: Flask) -> None:
    css = app.test_client().get("/static/app.css")
    assert css.status_code == 200
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in css.headers.get("Cache-Control", "")
    css.close()


@with_config(ENV_NAME="production")
def test_production_sends_hsts(app: Flask) -> None:
    fresh = Customer(app.test_client(), invite(app))
    for page in (fresh.get("/"), app.test_client().get("/r/unknown-token/")):
        hsts = page.headers["Strict-Transport-Security"]
        found = re.search(r"max-age=(\d+)", hsts)
        assert found is not None
        max_age = int(found.group(1))
        assert max_age >= 31_536_000 and "includeSubDomains" in hsts


@with_config(ENV_NAME="production")
def test_in_production_a_form_posted_over_https_from_the_page_itself_is_accepted(
    app: Flask,
) -> None:
    """Flask-WTF checks the Referer of HTTPS posts: the same-origin Referrer-Policy keeps it."""
    https = "https://questionnaire.example.com"
    client = app.test_client()
    start = f"/r/{invite(app)}/"
    page = client.get(start, base_url=https)
    assert page.headers["Referrer-Policy"] == "same-origin"
    form = {"csrf_token": csrf_token(page.text)}
    assert client.post(start + "start", data=form, base_url=https).status_code == 400  # no Referer
    begun = client.post(
        start + "start", data=form, base_url=https, headers={"Referer": https + start}
    )
    assert begun.status_code == 302


def test_production_refuses_to_start_without_a_secret_key(
    database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in production"):
        create_app(app_config(database_url, tmp_path, ENV_NAME="production", SECRET_KEY=""))


# -- 9. Session cookie ---------------------------------------------------------------------------


def session_cookie(page: Any) -> str:
    cookies = [c for c in page.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, page.headers.getlist("Set-Cookie")
    return str(cookies[0])


def cookie_flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask) -> None:
    flags = cookie_flags(session_cookie(Customer(app.test_client(), invite(app)).get("/")))
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert not any(flag.startswith(("domain=", "expires=", "max-age=")) for flag in flags)


@with_config(ENV_NAME="production")
def test_the_session_cookie_is_secure_in_production(app: Flask) -> None:
    client = app.test_client()
    page = client.get(f"/r/{invite(app)}/", base_url="https://questionnaire.example.com")
    assert {"secure", "httponly", "samesite=lax"} <= cookie_flags(session_cookie(page))


# -- 10. CSRF and GETs ---------------------------------------------------------------------------

ARGUMENTS = {
    "page_id": ["about", "services"], "group": ["services"], "item": ["0", "new"],
    "sub": ["real_servers"], "sub_item": ["0", "new"],
}  # fmt: skip
CHANGES = {
    "organisation": "Changed",
    "fabric": "cisco_aci",
    "has_hld": "yes",
    "name": "Changed",
    "protocol": "tcp",
    "port": "1",
    "confirm": "yes",
    "action": "continue",
}


def urls_for(
    app: Flask, method: str, token: str, *, customer_only: bool = False
) -> list[tuple[str, str]]:
    """(endpoint, URL) for every rule of the app accepting ``method``: customer routes with every
    plausible value of their arguments, other routes with "1" for each argument."""
    found = []
    for rule in app.url_map.iter_rules():
        customer = rule.endpoint.startswith("customer.")
        if (
            method not in (rule.methods or ())
            or rule.endpoint == "static"
            or (customer_only and not customer)
        ):
            continue
        names = sorted(rule.arguments - {"token"})
        choices = [ARGUMENTS[name] if customer else ["1"] for name in names]
        for values in product(*choices):
            built = rule.build({"token": token, **dict(zip(names, values, strict=True))})
            assert built is not None
            found.append((rule.endpoint, built[1]))
    return found


def test_csrf_protection_is_on_under_testing(app: Flask) -> None:
    assert app.config["TESTING"] is True
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True


# Every customer route is posted to with every visitor's token: routes behind other kinds of
# link (SoW review, booking) count those as guesses, more than the default limit allows.
@with_config(LINK_GUESS_LIMIT="1000 per minute")
def test_every_post_route_rejects_a_request_without_a_valid_csrf_token(app: Flask) -> None:
    fresh = Customer(app.test_client(), invite(app))
    fresh.get("/")  # has a session, so only the token is missing
    complete = started(app)
    complete.answer("about", ABOUT)
    complete.add_record("services", "services", {"name": "PACS", "protocol": "tcp", "port": "104"})
    complete.answer("services", {})
    complete.answer("last", {"notes": ""})
    other_session = Customer(app.test_client(), complete.token)
    foreign_token = csrf_token(other_session.get("/p/about").text)
    current = version(complete.get("/p/about").text)
    before = dump(app)
    endpoints = set()
    for visitor in (fresh, complete):
        for endpoint, url in urls_for(app, "POST", visitor.token):
            endpoints.add(endpoint)
            for token in (None, "", "not-a-token", foreign_token):
                data = {
                    **CHANGES,
                    "version": current,
                    **({} if token is None else {"csrf_token": token}),
                }
                got = visitor.client.post(url, data=data)
                assert got.status_code == 400, (url, token, got.status_code)
                assert (
                    "Sorry, there is a problem with that request" in got.text
                    or "session" in got.text
                )
    assert endpoints >= {
        "customer.begin", "customer.save", "customer.preview", "customer.record", "customer.remove",
        "customer.submit",
    }  # fmt: skip
    assert dump(app) == before
    # The same POST with the page's own token does change things: the check above is not vacuous.
    assert complete.submit().status_code == 302
    assert dump(app) != before


def test_no_get_route_changes_state(app: Flask) -> None:
    visitor = started(app)
    visitor.answer("about", ABOUT)
    visitor.add_record("services", "services", {"name": "PACS", "protocol": "tcp", "port": "104"})
    before = dump(app)
    for method in ("GET", "HEAD", "OPTIONS"):
        for _, url in urls_for(app, method, visitor.token):
            query = "?" + "&".join(f"{k}={v}" for k, v in CHANGES.items())
            got = visitor.client.open(url + query, method=method)
            assert got.status_code < 500, (method, url)
    assert dump(app) == before


def test_a_csrf_token_stays_valid_while_a_respondent_idles_for_hours(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor = started(app)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 8 * 3600)
    page = visitor.get("/p/about")  # a token signed eight hours ago
    monkeypatch.undo()
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text), **ABOUT}
    saved = visitor.client.post(f"{visitor.base}/p/about", data=form)
    assert saved.status_code == 302
    assert answers(app)["organisation"] == "Acme"


def test_a_respondent_whose_session_ended_gets_their_typed_answers_back(app: Flask) -> None:
    visitor = started(app)
    page = visitor.get("/p/about")
    # The browser was closed (the session cookie is gone) while the page stayed open.
    visitor.client.delete_cookie("session", domain="localhost")
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text),
            "organisation": "Typed before lunch", "fabric": "traditional", "has_hld": "no"}  # fmt: skip
    got = visitor.client.post(f"{visitor.base}/p/about", data=form)
    assert got.status_code == 400
    assert "Your session ended while this page was open" in got.text
    assert 'value="Typed before lunch"' in got.text
    assert 'value="traditional" checked' in got.text
    assert csrf_token(got.text)  # a fresh token, so saving again works


# -- 12. Respondents cannot reach each other's answers -------------------------------------------


def test_respondent_b_cannot_read_a_s_answers_by_changing_ids(app: Flask) -> None:
    alice = started(app, customer="Alice Hospital")
    alice_about = {**ABOUT, "organisation": "Alice Imaging", "has_hld": "yes"}
    alice.answer("about", alice_about, action="later")
    post_page(
        alice,
        "about",
        {**alice_about, "hld": FileStorage(io.BytesIO(PDF), "alice-secret-plan.pdf")},
    )
    for name in ("Alice PACS", "Alice RIS"):
        alice.add_record("services", "services", {"name": name, "protocol": "tcp", "port": "104"})
    bob = Customer(app.test_client(), invite(app, customer="Bob Clinic"))
    seen = [bob.get(path) for path in ("/", "/resume", "/review", "/done", "/saved")]
    bob.start()
    seen += [bob.client.get(url) for _, url in urls_for(app, "GET", bob.token, customer_only=True)]
    # Bob's browser holding Alice's session cookie changes nothing: the token alone decides.
    alices = alice.client.get_cookie("session")
    assert alices is not None
    bob.client.set_cookie("session", alices.value, domain="localhost")
    seen += [
        bob.get(path) for path in ("/p/about", "/p/services", "/review", "/p/services/services/1")
    ]
    for page in seen:
        assert page.status_code < 500
        for secret in ("Alice", "alice-secret-plan"):
            assert secret not in page.text
    assert bob.get("/p/services/services/1").status_code == 404
    before = dump(app)
    page = bob.get("/p/services/services/new")
    form = {"csrf_token": csrf_token(page.text), "version": version(page.text)}
    for index in ("1", "0"):
        bob.client.post(
            f"{bob.base}/p/services/services/{index}/remove", data={**form, "confirm": "yes"}
        )
        bob.client.post(f"{bob.base}/p/services/services/{index}", data={**form, "name": "Bob"})
    assert dump(app) == before


# -- 13. Stored XSS ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + BREAKOUT
FILENAME = "<img src=x onerror=alert(1)>.pdf"  # a browser sends no '"' or '/' in a filename


def hostile_definition() -> dict[str, Any]:
    def text(prefix: str) -> str:
        return f"{prefix} {PAYLOAD}"

    choices = [
        {"value": "red", "label": text("Red"), "hint": text("Red hint")},
        {"value": "blue", "label": "Blue"},
    ]
    return {
        "id": "hostile", "title": text("Title"), "version": "1.0.0", "description": text("Description"),
        "estimated_minutes": 5, "have_at_hand": [text("Have at hand")],
        "pages": [
            {"id": "first", "title": text("First page"), "intro": text("Intro"), "notes": [{"text": text("Page note")}],
             "questions": [
                {"id": "org", "type": "text", "label": text("Label"), "hint": text("Hint"), "help": text("Help"),
                 "notes": [{"text": text("Warning note"), "kind": "warning"}, {"text": text("Info note")}]},
                {"id": "colour", "type": "choice", "label": text("Choice"), "choices": choices},
                {"id": "tools", "type": "multi_choice", "label": text("Multi"), "choices": choices, "required": False},
                {"id": "count", "type": "integer", "label": text("Count"), "unit": text("Unit"), "required": False,
                 "constraints": [{"rule": {"<": [{"var": "value"}, 100]}, "message": text("Constraint")}]},
                {"id": "story", "type": "long_text", "label": text("Story"), "required": False},
                {"id": "has_doc", "type": "yes_no", "label": text("Has a document")},
                {"id": "doc", "type": "file", "label": text("File"), "accept": ["pdf"], "max_size_mb": 1,
                 "required": False, "show_if": {"var": "has_doc"}},
             ],
             "next": "second"},
            {"id": "second", "title": text("Second page"),
             "questions": [
                {"id": "piped", "type": "text", "label": "Piped {org} " + PAYLOAD, "required": False},
                {"id": "items", "type": "repeat", "label": text("Items"), "hint": text("Items hint"),
                 "item_label": text("Thing"), "min_items": 1,
                 "questions": [
                    {"id": "name", "type": "text", "label": text("Name"), "hint": text("Name hint")},
                    {"id": "kind", "type": "choice", "label": text("Kind"), "choices": choices},
                 ]},
             ],
             "next": "review"},
        ],
    }  # fmt: skip


@pytest.fixture
def hostile_definitions(tmp_path: Path) -> Path:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "hostile.yaml").write_text(yaml.safe_dump(hostile_definition(), allow_unicode=True))
    return folder


@pytest.fixture
def hostile_app(database_url: str, tmp_path: Path, hostile_definitions: Path) -> Any:
    application = create_app(
        app_config(database_url, tmp_path, DEFINITIONS_DIR=str(hostile_definitions))
    )
    assert "hostile" in application.extensions["services"].definitions.current
    yield application
    application.extensions["db_engine"].dispose()


def assert_escaped(name: str, html: str, *, rendered: bool = True) -> None:
    assert SCRIPT not in html, name
    assert "<img" not in html, name
    assert "onerror=alert(1)>" not in html.replace("onerror=alert(1)&gt;", ""), name
    if rendered:
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt;" in html
            or "&lt;img src=x onerror=alert(1)&gt;" in html
        ), name


def test_payloads_in_definitions_answers_names_and_filenames_render_as_text(
    hostile_app: Flask,
) -> None:
    app = hostile_app
    token = invite(app, customer=f"Customer {PAYLOAD}", definition="hostile")
    visitor = Customer(app.test_client(), token)
    pages = [("start", visitor.get("/"))]
    visitor.start()
    first = {
        "org": PAYLOAD,
        "colour": "red",
        "tools": ["red"],
        "story": PAYLOAD + "\nsecond line",
        "has_doc": "yes",
    }
    assert visitor.answer("first", first, action="later").status_code == 302
    uploaded = post_page(visitor, "first", {**first, "doc": FileStorage(io.BytesIO(PDF), FILENAME)})
    assert uploaded.status_code == 302
    page = visitor.get("/p/first")
    preview = visitor.client.post(
        f"{visitor.base}/p/first/preview",
        data={"csrf_token": csrf_token(page.text), "version": version(page.text), **first},
    )
    pages += [
        ("page", page),
        ("page with errors", post_page(visitor, "first", {**first, "count": "500"})),
        ("preview", preview),
        ("second page", visitor.get("/p/second")),
        ("new record", visitor.get("/p/second/items/new")),
        (
            "record with errors",
            visitor.add_record("second", "items", {"name": PAYLOAD, "kind": "green"}),
        ),
    ]
    assert pages[-2][1].status_code == 200 and pages[-1][1].status_code == 400
    assert post_page(visitor, "first", first).status_code == 302  # clears the count out of range
    assert (
        visitor.add_record("second", "items", {"name": PAYLOAD, "kind": "red"}).status_code == 302
    )
    assert visitor.answer("second", {"piped": PAYLOAD}).status_code == 302
    pages += [
        ("record", visitor.get("/p/second/items/0")),
        ("remove", visitor.get("/p/second/items/0/remove")),
        ("second page with a record", visitor.get("/p/second")),
        ("review", visitor.get("/review")),
        ("saved", visitor.get("/saved")),
    ]
    assert visitor.submit().status_code == 302
    pages.append(("done", visitor.get("/done?submitted=1")))
    for name, response in pages:
        assert response.status_code in (200, 400), name
        assert_escaped(name, response.text, rendered=name != "saved")  # "saved" shows no answers
    everything = "".join(response.text for _, response in pages)
    for shown in ("Customer ", "Title ", "Description ", "Have at hand ", "Intro ", "Page note ", "Label ",
                  "Hint ", "Help ", "Warning note ", "Info note ", "Red ", "Red hint ", "Constraint ",
                  "Unit ", "Items ", "Thing ", "Name ", "Name hint "):  # fmt: skip
        assert f"{shown}&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in everything, shown
    assert (
        "Piped &lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in everything
    )  # the piped answer
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in dict(pages)["page"].text  # the filename
    assert (
        'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"'
        in everything
    )


#: Every place that marks text as safe HTML, and why that is sound.
MARKED_SAFE = {
    "questionnaire/web/markdown.py": "markdown-it runs with html=False: it escapes the text it is given",
    # Constant markup joined with values that each pass markupsafe.escape; held by
    # tests/web/test_field_markup.py, which posts payloads through every question type.
    "questionnaire/web/fields.py": "the fields' builder escapes every value it joins in",
    "questionnaire/web/summary.py": "the review's rows escape every value they join in",
    # Held by tests/web/test_nested_records.py, which names a service and a server with markup.
    "questionnaire/web/nested_render.py": "nested lists join fields' escaped groups and escaped labels",
    # Held by tests/web/test_field_markup.py's searchable-select test.
    "questionnaire/web/select_field.py": "the searchable select escapes every value it joins in",
}


def test_templates_never_mark_text_safe() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        and re.search(r"\|\s*safe\b|Markup\(|autoescape\s+false", path.read_text())
    ]
    assert offenders == []


def test_python_marks_text_safe_only_where_justified() -> None:
    found = {
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "questionnaire").rglob("*.py"))
        if re.search(r"\bMarkup\(|autoescape\s*=\s*False|\.unescape\(", path.read_text())
    }
    assert found <= set(MARKED_SAFE)


def test_markdown_rendering_escapes_payloads() -> None:
    html = str(
        render_markdown(
            f"# {PAYLOAD}\n\n{PAYLOAD}\n\n[x](javascript:alert(1))\n\n| a |\n|---|\n| {PAYLOAD} |\n"
        )
    )
    assert_escaped("markdown", html)
    assert 'href="javascript:' not in html


def test_every_template_is_autoescaped(app: Flask) -> None:
    names = app.jinja_env.list_templates()
    assert "customer/page.html" in names
    for name in names:
        assert app.select_jinja_autoescape(name), name


# -- 22. Answers for questions that are not shown are ignored ------------------------------------


def test_the_server_ignores_answers_for_questions_that_are_not_shown(app: Flask) -> None:
    visitor = started(app)
    posted = {**ABOUT, "hld": '{"id": "x", "name": "forged.pdf", "size": 1, "kind": "pdf"}',
              "aci_admin": "Injected", "services": "Injected", "notes": "Injected", "uses_aci": "true"}  # fmt: skip
    assert post_page(visitor, "about", posted).status_code == 302
    assert answers(app) == {"organisation": "Acme", "fabric": "traditional", "has_hld": False}
    # A page off the path cannot be saved by posting to it directly.
    page = visitor.get("/p/about")
    form = {
        "csrf_token": csrf_token(page.text),
        "version": version(page.text),
        "aci_admin": "Injected",
    }
    assert visitor.client.post(f"{visitor.base}/p/aci", data=form).status_code == 302
    # A record field hidden by the record's own answers is dropped.
    record = {"name": "PACS", "protocol": "tcp", "tls": "yes", "port": "104"}
    assert visitor.add_record("services", "services", record).status_code == 302
    assert answers(app)["services"] == [{"name": "PACS", "protocol": "tcp", "port": 104}]
    assert "Injected" not in repr(dump(app))


def test_a_file_answer_cannot_be_forged_as_text(app: Flask) -> None:
    visitor = started(app)
    visitor.answer("about", {**ABOUT, "has_hld": "yes"}, action="later")
    forged = (
        '{"id": "0123456789abcdef0123456789abcdef", "name": "forged.pdf", "size": 1, "kind": "pdf"}'
    )
    post_page(visitor, "about", {**ABOUT, "has_hld": "yes", "hld": forged})
    assert "hld" not in answers(app)


# -- 23. Control characters, huge values, malformed bodies ---------------------------------------

CONTROLS = ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85"]


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_in_answers_are_refused_with_400(app: Flask, char: str) -> None:
    visitor = started(app)
    got = post_page(visitor, "about", {**ABOUT, "organisation": f"Ac{char}me"})
    assert got.status_code == 400
    assert error_summary(got.text)[0][0] == "organisation"
    assert answers(app) == {"fabric": "traditional", "has_hld": False}
    visitor.answer("about", ABOUT)
    record = visitor.add_record(
        "services", "services", {"name": f"PA{char}CS", "protocol": "tcp", "port": "104"}
    )
    assert record.status_code == 400
    assert "services" not in answers(app)
    visitor.add_record("services", "services", {"name": "PACS", "protocol": "tcp", "port": "104"})
    visitor.answer("services", {})
    notes = post_page(visitor, "last", {"notes": f"line one\nline{char} two"})
    assert notes.status_code == 400
    assert "notes" not in answers(app)
    assert "\x00" not in repr(dump(app))


def test_nul_bytes_anywhere_in_a_post_never_cause_a_500(app: Flask) -> None:
    visitor = started(app)
    nul = "\x00"
    hostile = {nul: nul, "aci_admin": nul, "action": nul, "organi\x00sation": "x", "hld": nul}
    assert post_page(visitor, "about", {**ABOUT, **hostile}).status_code in (302, 400)
    assert post_page(visitor, "about", {**ABOUT, "version": f"1{nul}"}).status_code in (400, 409)
    assert (
        visitor.client.post(f"{visitor.base}/p/about", data={"csrf_token": nul}).status_code == 400
    )
    page = visitor.get("/p/services/services/new")
    record = {
        "csrf_token": csrf_token(page.text),
        "version": version(page.text),
        "name": "A",
        "port": nul,
        "protocol": nul,
    }
    assert (
        visitor.client.post(f"{visitor.base}/p/services/services/new", data=record).status_code
        == 400
    )
    # A NUL in an address is refused at the edge, before any view (web/edge.py).
    assert visitor.get(f"/p/ab{nul}out").status_code == 400
    assert visitor.get(f"/p/services/services/0{nul}").status_code == 400
    assert nul not in repr(dump(app))


def test_a_value_longer_than_allowed_gets_400_and_the_page_back(app: Flask) -> None:
    visitor = started(app)
    got = post_page(visitor, "about", {**ABOUT, "organisation": "x" * 400_000})
    assert got.status_code == 400
    assert ("organisation", "Enter 500 characters or fewer") in error_summary(got.text)
    assert "organisation" not in answers(app)


def test_a_one_megabyte_value_gets_a_4xx_and_is_not_stored(app: Flask) -> None:
    visitor = started(app)
    got = post_page(visitor, "about", {**ABOUT, "organisation": "x" * 1024 * 1024})
    assert got.status_code in (400, 413)
    assert "organisation" not in answers(app)


def test_a_one_megabyte_value_gets_400_with_the_page_and_its_other_answers(app: Flask) -> None:
    visitor = started(app)
    got = post_page(visitor, "about", {**ABOUT, "organisation": "x" * 1024 * 1024})
    assert got.status_code == 400
    assert "file" not in got.text.split("<main", 1)[1].lower()
    assert answers(app) == {"fabric": "traditional", "has_hld": False}


def _part(name: str, value: str) -> bytes:
    return f'--XYZ\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", "{fields}--XYZ--\r\n"),  # no boundary at all
        ("multipart/form-data; boundary=OTHER", "{fields}--XYZ--\r\n"),  # the wrong boundary
        ('multipart/form-data; boundary=""', "{fields}--XYZ--\r\n"),
        (
            "multipart/form-data; boundary=XYZ",
            '{fields}--XYZ\r\nContent-Disposition: form-data; name="organ',
        ),
        ("multipart/form-data; boundary=XYZ", "{fields}"),  # no closing boundary
        (
            "multipart/form-data; boundary=XYZ",
            '{fields}--XYZ\r\nContent-Disposition: form-data; name="hld"; '
            'filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 cut off',
        ),
        (
            "multipart/form-data; boundary=XYZ",
            "{fields}--XYZ\r\nNo-Colon-Header\r\n\r\nx\r\n--XYZ--\r\n",
        ),
        ("multipart/form-data; boundary=XYZ", "--XYZ\r\nX: " + "x" * 100_000),
        ("multipart/form-data; boundary=XYZ", "\x00" * 1000),
        ("application/x-www-form-urlencoded", "%%%&&&=%zz&organisation=%ff%fe"),
    ],
    ids=[
        "no boundary",
        "wrong boundary",
        "empty boundary",
        "truncated header",
        "unterminated",
        "truncated file",
        "broken part header",
        "huge part header",
        "binary noise",
        "bad urlencoding",
    ],
)
# Werkzeug's parser leaves the temporary file of a cut-off file part for the garbage collector.
@pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_malformed_bodies_get_400_not_500(app: Flask, content_type: str, body: str) -> None:
    visitor = started(app)
    page = visitor.get("/p/about")
    fields = _part("csrf_token", csrf_token(page.text)) + _part("version", version(page.text))
    fields += _part("organisation", "Malformed") + _part("fabric", "traditional")
    data = body.replace("{fields}", fields.decode()).encode("utf-8", "surrogateescape")
    before = dump(app)
    got = visitor.client.post(f"{visitor.base}/p/about", data=data, content_type=content_type)
    gc.collect()
    assert got.status_code == 400
    assert dump(app) == before
