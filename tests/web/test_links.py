"""One-time links (security plan lines 1-7): unguessable tokens, stored only as hashes, never
logged, no data behind a dead link, no change on GET, built from BASE_URL, guessing limited."""

from __future__ import annotations

import ast
import base64
import hashlib
import logging
import os
import subprocess
import sys
from datetime import timedelta
from itertools import product
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from questionnaire import create_app
from questionnaire.services import links
from questionnaire.store import db
from questionnaire.store.models import Engagement, Link, Response
from questionnaire.web.security import RedactTokens, redact
from tests.conftest import ROOT, app_config

from .customer import Customer, csrf_token, invite, version
from .state import dump, with_config

CONTACT = "help-desk@example.test"


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A known contact address everywhere; a test may add more with an indirect parameter."""
    return {"CONTACT_EMAIL": CONTACT, **getattr(request, "param", {})}


def started(app: Flask, customer: str = "Acme Health") -> Customer:
    visitor = Customer(app.test_client(), invite(app, customer=customer))
    assert visitor.start().status_code == 302
    return visitor


def _link(app: Flask, token: str) -> Link:
    with app.app_context():
        return (
            db.session()
            .execute(select(Link).where(Link.token_hash == links.token_hash(token)))
            .scalar_one()
        )


# -- 1. Tokens -----------------------------------------------------------------------------------


def test_tokens_are_256_bits_of_url_safe_base64() -> None:
    token = links.new_token()
    assert links.TOKEN_SHAPE.match(token) and len(token) == 43
    assert len(base64.urlsafe_b64decode(token + "=")) == 32


def test_tokens_come_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def token_urlsafe(nbytes: int) -> str:
        calls.append(nbytes)
        return "from-secrets"

    monkeypatch.setattr("questionnaire.services.links.secrets.token_urlsafe", token_urlsafe)
    assert links.new_token() == "from-secrets"
    assert calls == [32]


def test_ten_thousand_tokens_have_no_duplicate() -> None:
    tokens = {links.new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000


def test_the_random_module_is_not_imported_anywhere() -> None:
    importers = []
    for path in sorted((ROOT / "questionnaire").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name == "random" or name.startswith("random.") for name in names):
                importers.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}")
    assert importers == []


# -- 2. Only a hash is stored --------------------------------------------------------------------


def test_only_the_sha256_of_a_token_is_stored(app: Flask, database_url: str) -> None:
    visitor = started(app)
    visitor.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
    token = visitor.token
    rows = dump(app)
    assert rows["links"] and rows["audit_events"] and rows["responses"]
    assert token not in repr(rows)
    assert _link(app, token).token_hash == hashlib.sha256(token.encode()).hexdigest()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for stored in (path, path.with_name(path.name + "-wal")):
            if stored.exists():
                assert token.encode() not in stored.read_bytes(), stored.name


# -- 3. Tokens are not logged --------------------------------------------------------------------


def test_redact_removes_tokens_from_paths_and_full_urls() -> None:
    token = links.new_token()
    line = f'GET /r/{token}/p/about HTTP/1.1 "https://questionnaire.example.com/r/{token}/review"'
    redacted = redact(line)
    assert token not in redacted
    assert (
        redacted
        == 'GET /r/[redacted]/p/about HTTP/1.1 "https://questionnaire.example.com/r/[redacted]/review"'
    )


def test_the_redaction_filter_is_on_every_logger_that_sees_urls(app: Flask) -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        assert any(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters), name


def test_a_gunicorn_style_access_log_line_is_redacted(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    token = invite(app)
    # As gunicorn's glogging writes it: the format, then a dict of atoms.
    atoms = {
        "h": "203.0.113.9", "l": "-", "u": "-", "t": "[30/Nov/2026:10:00:00 +0000]",
        "r": f"GET /r/{token}/p/about HTTP/1.1", "s": "200", "b": "5120",
        "f": f"https://questionnaire.example.com/r/{token}/", "a": "Mozilla/5.0",
    }  # fmt: skip
    with caplog.at_level(logging.INFO):
        logging.getLogger("gunicorn.access").info(
            '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"', atoms
        )
        logging.getLogger("werkzeug").info(
            '%s - - [%s] "%s" %s %s', "127.0.0.1", "date", atoms["r"], "200", "-"
        )
    assert len(caplog.records) == 2
    assert token not in caplog.text
    assert (
        '"GET /r/[redacted]/p/about HTTP/1.1" 200 5120 "https://questionnaire.example.com/r/[redacted]/"'
        in caplog.text
    )


@with_config(PROPAGATE_EXCEPTIONS=False)
def test_requests_and_errors_do_not_log_the_token(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    visitor = started(app)
    with caplog.at_level(logging.DEBUG):
        visitor.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
        visitor.get("/review")

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the service broke")

        monkeypatch.setattr(links, "link_url", broken)
        failed = visitor.get("/saved")
    assert failed.status_code == 500
    assert "Sorry, there is a problem with the service" in failed.text
    assert any("/r/[redacted]/saved" in record.getMessage() for record in caplog.records)
    assert visitor.token not in caplog.text


# -- 4. Dead links -------------------------------------------------------------------------------

CUSTOMER_DATA = ("Zebra Imaging", "Zebra Health Trust", "Small pre-discovery questionnaire")
CUSTOMER_PATHS = (
    "/",
    "/resume",
    "/p/about",
    "/p/services/services/new",
    "/saved",
    "/review",
    "/done",
)


def _dead(app: Flask, how: str) -> Customer:
    visitor = started(app, customer="Zebra Health Trust")
    visitor.answer(
        "about", {"organisation": "Zebra Imaging", "fabric": "traditional", "has_hld": "no"}
    )
    link = _link(app, visitor.token)
    with app.app_context():
        session = db.session()
        if how == "expired":
            session.execute(
                update(Link).where(Link.id == link.id).values(expires_at=link.created_at)
            )
        else:
            links.revoke_link(session, link.engagement_id, link.id, "test")
        session.commit()
    return visitor


@pytest.mark.parametrize(
    ("how", "status", "title", "advice"),
    [
        ("unknown", 404, "This link is not valid", "Check that you copied the whole link"),
        (
            "expired",
            410,
            "This link has expired",
            "Ask us for a new link: your saved answers are kept.",
        ),
        (
            "revoked",
            410,
            "This link is no longer active",
            "A newer link may have been sent to you.",
        ),
    ],
    ids=["unknown", "expired", "revoked"],
)
def test_dead_links_say_what_happened_and_whom_to_contact_and_show_no_data(
    app: Flask, how: str, status: int, title: str, advice: str
) -> None:
    if how == "unknown":
        started(app, customer="Zebra Health Trust")
        visitor = Customer(app.test_client(), links.new_token())
    else:
        visitor = _dead(app, how)
    before = dump(app)
    for path in CUSTOMER_PATHS:
        page = visitor.get(path)
        assert page.status_code == status, path
        assert title in page.text and advice in page.text, path
        assert f'href="mailto:{CONTACT}"' in page.text
        assert not any(data in page.text for data in CUSTOMER_DATA), path
        assert page.headers["Cache-Control"] == "no-store"
    assert dump(app) == before


def test_a_dead_link_accepts_no_post(app: Flask) -> None:
    visitor = started(app)
    page = visitor.get("/p/about")
    with app.app_context():
        session = db.session()
        link = _link(app, visitor.token)
        links.revoke_link(session, link.engagement_id, link.id, "test")
        session.commit()
    before = dump(app)
    posted = visitor.client.post(
        f"{visitor.base}/p/about",
        data={
            "csrf_token": csrf_token(page.text),
            "version": version(page.text),
            "organisation": "Late",
        },
    )
    assert posted.status_code == 410
    assert dump(app) == before


def test_reissuing_a_link_ends_the_old_one_and_the_new_one_resumes_the_response(app: Flask) -> None:
    old = started(app)
    old.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
    with app.app_context():
        session = db.session()
        engagement = session.execute(select(Engagement)).scalar_one()
        _, token = links.issue_link(session, engagement, "small", timedelta(days=14), "engineer")
        session.commit()
    assert old.get("/").status_code == 410
    assert "This link is no longer active" in old.get("/p/about").text
    new = Customer(app.test_client(), token)
    start = new.get("/")
    assert start.status_code == 200 and "Continue" in start.text and "Start now" not in start.text
    assert new.get("/resume").location.endswith(f"/r/{token}/p/services")
    assert 'value="Acme"' in new.get("/p/about").text
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Response)) == 1


# -- 5. A GET never changes anything -------------------------------------------------------------

ARGUMENTS = {
    "page_id": ["about", "aci", "services", "last", "nope"],
    "group": ["services"],
    "item": ["new", "0", "1"],
    "sub": ["real_servers"],
    "sub_item": ["new", "0"],
}


def customer_get_urls(app: Flask, token: str) -> list[str]:
    """Every customer route answering GET, with every plausible value of its arguments."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("customer.") or "GET" not in (rule.methods or ()):
            continue
        names = sorted(rule.arguments - {"token"})
        assert set(names) <= set(ARGUMENTS), (
            f"new route {rule.rule}: add its arguments to ARGUMENTS"
        )
        for values in product(*(ARGUMENTS[name] for name in names)):
            built = rule.build({"token": token, **dict(zip(names, values, strict=True))})
            assert built is not None
            urls.append(built[1])
    return urls


@pytest.mark.parametrize("stage", ["fresh", "in progress", "submitted"])
def test_following_a_link_with_get_changes_nothing(app: Flask, stage: str) -> None:
    visitor = Customer(app.test_client(), invite(app))
    if stage == "in progress":
        visitor.start()
        visitor.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
        visitor.add_record(
            "services", "services", {"name": "PACS", "protocol": "tcp", "port": "104"}
        )
    elif stage == "submitted":
        visitor.complete_small()
        assert visitor.submit().status_code == 302
    before = dump(app)
    scanner = app.test_client()  # a mail security scanner: no cookies, follows every link
    urls = customer_get_urls(app, visitor.token)
    assert len(urls) > 10
    for url in urls:
        assert scanner.head(url).status_code < 500, url
        assert scanner.get(url).status_code < 500, url
        assert visitor.client.get(url).status_code < 500, url
    assert dump(app) == before
    if stage == "fresh":
        assert before["responses"] == []


# -- 6. Links are built from BASE_URL ------------------------------------------------------------


def test_link_url_uses_the_configured_base_url() -> None:
    assert (
        links.link_url("https://q.example.com/", "T" * 43) == f"https://q.example.com/r/{'T' * 43}/"
    )
    assert (
        links.link_url("https://q.example.com/base", "abc") == "https://q.example.com/base/r/abc/"
    )


def test_the_saved_page_ignores_a_forged_host_header(app: Flask) -> None:
    visitor = started(app)
    visitor.answer(
        "about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"}, action="later"
    )
    forged = {
        "Host": "evil.example",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "http",
    }
    page = visitor.get("/saved", headers=forged)
    assert page.status_code == 200
    assert f"https://questionnaire.example.com/r/{visitor.token}/" in page.text
    assert "evil.example" not in page.text
    resume = visitor.get("/resume", headers=forged)
    assert "evil.example" not in resume.headers["Location"]


# -- 7. Guessing is limited ----------------------------------------------------------------------


@with_config(LINK_GUESS_LIMIT="5 per minute")
def test_guessing_tokens_is_rate_limited_with_a_clear_page(app: Flask) -> None:
    customer = Customer(app.test_client(), invite(app))
    for _ in range(10):  # using a good link does not count as guessing
        assert customer.get("/").status_code == 200
    guesser = app.test_client()
    for _ in range(5):
        assert guesser.get(f"/r/{links.new_token()}/").status_code == 404
    limited = guesser.get(f"/r/{links.new_token()}/")
    assert limited.status_code == 429
    assert '<h1 class="heading-l">Too many attempts</h1>' in limited.text
    assert f'href="mailto:{CONTACT}"' in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}  # another client has a count of its own
    assert (
        app.test_client().get(f"/r/{links.new_token()}/", environ_base=elsewhere).status_code == 404
    )


@with_config(LINK_GUESS_LIMIT="5 per minute")
def test_the_rate_limit_page_tells_the_respondent_to_wait(app: Flask) -> None:
    guesser = app.test_client()
    for _ in range(5):
        guesser.get(f"/r/{links.new_token()}/")
    limited = guesser.get(f"/r/{links.new_token()}/")
    assert limited.status_code == 429
    assert "Wait a minute, then try again" in limited.text
    assert "per 1 minute" not in limited.text


@with_config(LINK_GUESS_LIMIT="5 per minute")
def test_dead_links_count_as_guesses(app: Flask) -> None:
    visitor = _dead(app, "revoked")
    guesser = app.test_client()
    statuses = [guesser.get(f"/r/{visitor.token}/").status_code for _ in range(6)]
    assert statuses == [410] * 5 + [429]


GARBAGE = [
    "' OR '1'='1",
    "1; DROP TABLE links;--",
    '" UNION SELECT token_hash FROM links --',
    "A" * 42 + "'",
    "x" * 10_240,
    "A" * 43 + "\x00",
    "\x00",
    "é" * 43,
    "😀" * 11,
    "\u202e" + "A" * 42,
    "..",
    "<script>alert(1)</script>",
    "%",
    "A" * 43 + " ",
]
RAW_GARBAGE = ["%00", "%ff%fe", "%C0%AE%C0%AE", "A" * 42 + "%00", "%2e%2e", "%252F"]


@with_config(LINK_GUESS_LIMIT="1000 per minute")
@pytest.mark.parametrize(
    "path", ["/", "/p/about", "/p/services/services/0", "/review", "/done", "/saved"]
)
def test_token_shaped_garbage_gets_a_4xx_never_a_500(app: Flask, path: str) -> None:
    client = app.test_client()
    tokens = [quote(garbage, safe="") for garbage in GARBAGE] + RAW_GARBAGE
    for token in tokens:
        got = client.get(f"/r/{token}{path}")
        assert 400 <= got.status_code < 500, (token[:50], got.status_code)
        posted = client.post(f"/r/{token}{path}", data={"organisation": "x"})
        assert 400 <= posted.status_code < 500, (token[:50], posted.status_code)


def _redis_db15() -> Any:
    redis = pytest.importorskip("redis")
    connection = redis.Redis(host="127.0.0.1", port=6379, db=15, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return connection


SECOND_WORKER = """
import sys
from questionnaire import create_app
from questionnaire.services.links import new_token
config = {
    "TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": sys.argv[1],
    "UPLOAD_DIR": sys.argv[2], "DEFINITIONS_DIR": sys.argv[3],
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False, "LINK_GUESS_LIMIT": "5 per minute",
}
client = create_app(config).test_client()
print(" ".join(str(client.get(f"/r/{new_token()}/").status_code) for _ in range(3)))
"""


def test_the_guess_count_is_shared_by_worker_processes(database_url: str, tmp_path: Path) -> None:
    redis = _redis_db15()
    redis.flushdb()
    config = app_config(
        database_url, tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False, LINK_GUESS_LIMIT="5 per minute",
    )  # fmt: skip
    # Another worker process, with its own app, makes three guesses...
    worker = subprocess.run(
        [sys.executable, "-c", SECOND_WORKER, database_url, config["UPLOAD_DIR"], config["DEFINITIONS_DIR"]],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.split() == ["404", "404", "404"]
    app = create_app(config)
    try:
        # ...so this one allows only two more from the same client.
        client = app.test_client()
        statuses = [client.get(f"/r/{links.new_token()}/").status_code for _ in range(3)]
    finally:
        app.extensions["db_engine"].dispose()
        redis.flushdb()
    assert statuses == [404, 404, 429]
