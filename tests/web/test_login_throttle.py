"""Failed sign-ins are throttled per account and per address (security plan line 31): 429 with
Retry-After and a page that says how long to wait, the same whether or not the account exists,
each failure in the history, and the counts shared by every worker (Redis)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from questionnaire import create_app
from questionnaire.store import db
from questionnaire.store.models import AuditEvent
from tests.conftest import app_config

from .engineer import log_in, make_engineer, sign_in
from .state import with_config

LIMITS = {"LOGIN_ACCOUNT_LIMIT": "3 per minute", "LOGIN_ADDRESS_LIMIT": "5 per minute"}


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {**LIMITS, **getattr(request, "param", {})}


def _client(app: Flask, address: str = "127.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _page(text: str) -> str:
    """The page without what differs between any two requests (its CSRF token)."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", text)


def _failed(app: Flask) -> int:
    with app.app_context():
        count = select(func.count()).where(AuditEvent.action == "user.login_failed")
        return db.session().scalar(count) or 0


def test_the_fourth_failure_of_an_account_is_throttled_with_a_clear_page(app: Flask) -> None:
    make_engineer(app)
    client = app.test_client()
    statuses = [sign_in(client, password="wrong").status_code for _ in range(3)]
    throttled = sign_in(client, password="wrong")
    assert statuses == [400, 400, 400] and throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 60
    assert "Too many failed sign-ins. Wait a minute, then try again." in throttled.text
    assert _failed(app) == 3
    # Even the right password waits: a guesser would otherwise learn when they hit it.
    assert sign_in(client).status_code == 429


def test_an_unknown_account_is_answered_exactly_like_a_known_one(app: Flask) -> None:
    make_engineer(app)
    known, unknown = _client(app), _client(app, "198.51.100.7")
    for _ in range(4):
        mine = sign_in(known, password="wrong")
        theirs = sign_in(unknown, email="nobody@example.com", password="wrong")
        assert mine.status_code == theirs.status_code
        assert _page(mine.text).replace("eng@", "nobody@") == _page(theirs.text)
    assert mine.status_code == 429 and _failed(app) == 6


def test_an_address_is_throttled_across_accounts_and_another_address_is_not(app: Flask) -> None:
    make_engineer(app)
    guesser = app.test_client()
    for n in range(5):
        assert sign_in(guesser, email=f"guess{n}@example.com").status_code == 400
    assert sign_in(guesser).status_code == 429  # the real account, from the guessing address
    colleague = _client(app, "198.51.100.7")
    assert sign_in(colleague).status_code == 302


@with_config(RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0")  # nothing listens on port 9
def test_without_the_shared_store_failures_are_counted_in_the_process(app: Flask) -> None:
    make_engineer(app)
    client = app.test_client()
    statuses = [sign_in(client, password="wrong").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def _redis_db13() -> Any:
    redis = pytest.importorskip("redis")
    connection = redis.Redis(host="127.0.0.1", port=6379, db=13, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except redis.exceptions.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return connection


def test_the_failure_count_is_shared_by_workers(database_url: str, tmp_path: Any) -> None:
    _redis_db13()
    config = app_config(database_url, tmp_path, **LIMITS,
                        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/13")  # fmt: skip
    first, second = create_app(config), create_app(config)  # two workers, one Redis
    email = f"{secrets.token_hex(8)}@example.com"  # a count of its own: nothing to flush
    address = f"192.0.2.{secrets.randbelow(250) + 1}"
    try:
        statuses = [
            sign_in(_client(app, address), email=email).status_code
            for app in (first, second, first, second)
        ]
    finally:
        first.extensions["db_engine"].dispose()
        second.extensions["db_engine"].dispose()
    assert statuses == [400, 400, 400, 429]


def test_correct_sign_ins_are_not_counted(app: Flask) -> None:
    make_engineer(app)
    for _ in range(6):  # more than either limit
        assert log_in(app).get("/e/").status_code == 200
