"""No page shows a person a link or a button that would refuse them.

For each role, a signed-in account crawls the engineers' workspace from its landing page,
following every ``/e`` link it is shown (GET) up to a bound, and checks that no link answers
403 and that every form it is shown posts to an endpoint its roles may use.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from questionnaire.services import accounts, permissions
from questionnaire.store import db
from questionnaire.store.models import Role

from .customer import invite
from .engineer import PASSWORD, sign_in

HREF = re.compile(r'href="(/e[^"#]*)"')
ACTION = re.compile(r'<form[^>]*method="post"[^>]*action="(/e[^"]*)"', re.IGNORECASE)
MAX_PAGES = 40


def _signed_in(app: Flask, role: Role) -> tuple[FlaskClient, frozenset[Role]]:
    email = f"{role.value}@example.com"
    with app.app_context():
        accounts.create_user(db.session(), email, PASSWORD, role.value, roles={role})
    client = app.test_client()
    assert sign_in(client, email=email).status_code == 302
    return client, frozenset({role})


def _crawl(client: FlaskClient) -> tuple[dict[str, int], set[str]]:
    """Every page reached from ``/e/`` (its status) and every form action seen."""
    seen: dict[str, int] = {}
    actions: set[str] = set()
    queue = deque(["/e/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow_redirects=True)
        seen[url] = response.status_code
        if not response.content_type.startswith("text/html"):
            continue
        actions.update(ACTION.findall(response.text))
        queue.extend(link.replace("&amp;", "&") for link in HREF.findall(response.text))
    return seen, actions


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_no_role_is_shown_a_link_or_form_it_may_not_use(app: Flask, role: Role) -> None:
    invite(app)
    client, roles = _signed_in(app, role)
    pages, actions = _crawl(client)
    refused = {url: status for url, status in pages.items() if status == 403}
    assert refused == {}, f"{role.value} is shown links that refuse them"
    adapter = app.url_map.bind("localhost")
    for action in actions:
        endpoint, _ = adapter.match(urlsplit(action).path, method="POST")
        assert permissions.allows(endpoint, roles), (role.value, action)
    assert len(pages) > 1  # the crawl reached beyond the landing page


def test_sales_sees_no_new_engagement_link_and_engineers_do(app: Flask) -> None:
    sales, _ = _signed_in(app, Role.SALES)
    engineer, _ = _signed_in(app, Role.ENGINEER)
    assert 'href="/e/engagements/new"' not in sales.get("/e/").text
    assert 'href="/e/engagements/new"' in engineer.get("/e/").text
