"""The app under gunicorn with two worker processes: nothing shared lives in one process.

Requests alternate between the workers, so a response saved by one is resumed by the other, and
failed link look-ups are counted in Redis, where both workers see them (security plan 7, 27).
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from questionnaire import create_app
from questionnaire.services import links
from questionnaire.store import db

from .gunicorn import serving

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    settings = {
        "SECRET_KEY": "two-workers",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "LINK_GUESS_LIMIT": "6 per minute",
        "BASE_URL": "http://127.0.0.1:{port}",
    }
    with serving(tmp_path, settings) as served_at:
        yield served_at


def _request(
    port: int, method: str, path: str, body: str = "", cookie: str = ""
) -> tuple[int, str, dict[str, str]]:
    """One request on a fresh connection, so the two workers take turns."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    result = (
        response.status,
        response.read().decode(),
        {k.lower(): v for k, v in response.getheaders()},
    )
    connection.close()
    return result


def _invite(env: dict[str, str]) -> str:
    app = create_app(
        {"DATABASE_URL": env["QUESTIONNAIRE_DATABASE_URL"], "SECRET_KEY": "x",
         "DEFINITIONS_DIR": env["QUESTIONNAIRE_DEFINITIONS_DIR"], "RATELIMIT_STORAGE_URI": "memory://"}
    )  # fmt: skip
    with app.app_context():
        token = links.invite(
            db.session(), "Two Workers Ltd", "small", timedelta(days=1), "test"
        ).token
    app.extensions["db_engine"].dispose()
    return token


def test_two_workers_share_answers_and_guess_counts(served: tuple[int, dict[str, str]]) -> None:
    port, env = served
    token = _invite(env)
    status, page, headers = _request(port, "GET", f"/r/{token}/")
    assert status == 200
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf
    assert (
        _request(port, "POST", f"/r/{token}/start", f"csrf_token={csrf.group(1)}", cookie)[0] == 302
    )
    for turn in range(4):  # saves and reads alternate between the processes
        status, page, _ = _request(port, "GET", f"/r/{token}/p/about", cookie=cookie)
        assert status == 200
        if turn:
            assert f'value="Acme {turn - 1}"' in page  # what the other worker saved
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
        assert version
        answers = f"organisation=Acme+{turn}&fabric=traditional&has_hld=no"
        body = f"csrf_token={csrf.group(1)}&version={version.group(1)}&{answers}"
        assert _request(port, "POST", f"/r/{token}/p/about", body, cookie)[0] == 302
    # Six failed guesses in all, spread over both workers, then the seventh is refused.
    statuses = [_request(port, "GET", f"/r/{'x' * 43}/")[0] for _ in range(7)]
    assert statuses[:6] == [404] * 6 and statuses[6] == 429
