"""Who may use each engineers' route, walked through ``app.url_map`` for every role.

``SPEC`` below is the specification, written here and not read from the permissions module:
each ``/e`` route is asked (GET, and POST with a valid CSRF token of that session) by one
account per role, by an account with no role and without a login, and each answer is checked
against it. A route the spec does not name fails the walk, so a new route needs a decision.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from questionnaire.services import accounts, permissions
from questionnaire.store import db
from questionnaire.store.models import Role, User

from .customer import csrf_token, invite
from .engineer import PASSWORD, sign_in

ALL = {"sales", "lead", "engineer", "admin"}
WORK = {"lead", "engineer"}

#: Endpoint → the roles that may use it. ``engineer.handover`` covers every endpoint named so.
SPEC: dict[str, set[str]] = {
    "engineer.engagements": ALL,
    "engineer.new_engagement": WORK,
    "engineer.engagement": WORK,
    "engineer.save_facts": WORK,
    "engineer.issue_link": WORK,
    "engineer.revoke_link": WORK,
    "engineer.send_questionnaire": WORK,
    "engineer.questionnaire_sent": WORK,
    "engineer.questionnaire_reminders": WORK,
    "engineer.validation_answers": WORK,
    "engineer.download": WORK,
    "engineer.files_page": WORK,
    "engineer.attach_file": WORK,
    "engineer.file_download": WORK,
    "engineer.remove_file": WORK,
    "engineer.hold_files": WORK,
    "engineer.release_files": WORK,
    "engineer.sow_page": WORK,
    "engineer.sow_save": WORK,
    "engineer.sow_diff": WORK,
    "engineer.sow_generate": WORK,
    "engineer.sow_request": WORK,
    "engineer.sow_revision": WORK,
    "engineer.sow_export": WORK,
    "engineer.sow_prepare_export": WORK,
    "engineer.sow_sent": WORK,
    "engineer.sow_send": WORK,
    "engineer.sow_acceptance_record": WORK,
    "engineer.ps_acceptance_page": WORK,
    "engineer.ps_acceptance_generate": WORK,
    "engineer.ps_acceptance_save": WORK,
    "engineer.ps_acceptance_send": WORK,
    "engineer.ps_acceptance_export": WORK,
    "engineer.ps_acceptance_prepare_export": WORK,
    "engineer.ps_acceptance_record": WORK,
    "engineer.send_booking": WORK,
    "engineer.revoke_booking": WORK,
    "engineer.availability": WORK,
    "engineer.issue_private_feed": WORK,
    "engineer.revoke_private_feed": WORK,
    "engineer.pdr_page": WORK,
    "engineer.pdr_create": WORK,
    "engineer.pdr_row": WORK,
    "engineer.pdr_row_save": WORK,
    "engineer.pdr_row_remove": WORK,
    "engineer.pdr_revision": WORK,
    "engineer.pdr_diff": WORK,
    "engineer.pdr_export": WORK,
    "engineer.pdr_prepare_export": WORK,
    "engineer.implementation_sessions": WORK,
    "engineer.record_session": WORK,
    "engineer.functional_tests_page": WORK,
    "engineer.record_test": WORK,
    "engineer.functional_test": WORK,
    "engineer.change_test": WORK,
    "engineer.remove_test": WORK,
    "engineer.issue_handover_document": WORK,
    "engineer.customer_handover_export": WORK,
    "engineer.support_notes_page": WORK,
    "engineer.save_support_notes": WORK,
    "engineer.support_handover": {"sales", "lead", "engineer"},
    "engineer.completion_download": {"sales", "lead", "engineer"},
    "engineer.webhook_deliveries": {"admin"},
    "engineer.outbox": WORK,
    "engineer.outbox_email": WORK,
    "engineer.outbox_eml": WORK,
    "engineer.outbox_send_again": WORK,
    "engineer.handover": {"sales", "lead"},
    "engineer.board": {"sales", "lead", "engineer"},
    "engineer.assign": {"lead"},
    "engineer.move": WORK,
    "engineer.admin_accounts": {"admin"},
    "engineer.admin_set_roles": {"admin"},
    "engineer.admin_deactivate": {"admin"},
    "engineer.admin_reactivate": {"admin"},
    "auth.logout": ALL | {"none"},  # signing out needs no role
}
#: Endpoints other work in progress will add: the permissions table may name them early.
COMING = {"engineer.handover*", "engineer.board", "engineer.assign", "engineer.move"}
#: Ids in URLs: engagement 1 exists; user 2147483647 does not, so no account changes.
ARGS = {"engagement_id": "1", "link_id": "1", "number": "1", "upload_id": "abc", "fmt": "pdf",
        "user_id": "2147483647"}  # fmt: skip


def _spec(endpoint: str) -> set[str]:
    if endpoint.startswith("engineer.handover"):
        return SPEC["engineer.handover"]
    assert endpoint in SPEC, f"{endpoint} is not in the spec: decide who may use it"
    return SPEC[endpoint]


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) of every ``/e`` route but the login, signing out last."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/e") and rule.endpoint != "auth.login":
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint, method, _url(rule)))
    return sorted(found, key=lambda route: route[0] == "auth.logout")


def _url(rule: Rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: ARGS.get(m.group(1), "1"), rule.rule)


def _account(app: Flask, name: str) -> FlaskClient:
    """A signed-in client of an account holding the role ``name`` (``none``: no role)."""
    email = f"{name}@example.com"
    with app.app_context():
        session = db.session()
        role = Role.ENGINEER if name == "none" else Role(name)
        user = accounts.create_user(session, email, PASSWORD, name, roles={role})
        if name == "none":  # accounts are made with a role; this one has lost its last
            user.role_rows.clear()
            session.commit()
    client = app.test_client()
    assert sign_in(client, email=email).status_code == 302
    return client


def _walk(app: Flask, client: FlaskClient) -> list[tuple[str, str, int, str]]:
    token = csrf_token(client.get("/e/login").text)  # this session's token
    answers = []
    for endpoint, method, url in _routes(app):
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        answers.append((endpoint, method, response.status_code, response.location or ""))
        if response.status_code == 403:
            assert "ask an administrator" in response.text, (endpoint, method)
    return answers


@pytest.mark.parametrize("role", ["sales", "lead", "engineer", "admin", "none"])
def test_each_role_gets_exactly_the_routes_the_spec_allows(app: Flask, role: str) -> None:
    invite(app)
    answers = _walk(app, _account(app, role))
    assert len(answers) >= 20
    for endpoint, method, status, location in answers:
        if role in _spec(endpoint):
            assert status != 403, (role, endpoint, method)
            assert not location.startswith("/e/login") or endpoint == "auth.logout", (
                role,
                endpoint,
                method,
            )
        else:
            assert status == 403, (role, endpoint, method, status)


def test_without_a_login_every_route_sends_you_to_sign_in(app: Flask) -> None:
    invite(app)
    for endpoint, method, status, location in _walk(app, app.test_client()):
        assert status == 302 and location.startswith("/e/login"), (endpoint, method, status)


def test_every_engineers_endpoint_has_an_entry_in_the_permissions_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/e")}
    missing = {e for e in endpoints - {"auth.login"} if not permissions.roles_for(e)}
    assert missing == set(), "add these to services/permissions.py"


def test_the_permissions_table_names_no_route_that_does_not_exist(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = {name for name in permissions.ALLOWED if name not in endpoints} - COMING
    assert stale == set()


def test_an_endpoint_missing_from_the_table_is_refused_to_every_role() -> None:
    assert not permissions.allows("engineer.not_in_the_table", set(Role))
    assert not permissions.allows(None, set(Role))
    assert permissions.allows("engineer.handover_new", {Role.SALES})


def test_the_refusal_says_who_may_use_the_page(app: Flask) -> None:
    invite(app)
    refused = _account(app, "sales").get("/e/engagements/1")
    assert refused.status_code == 403
    assert "This page is for leads and engineers" in refused.text


def test_an_account_whose_roles_change_is_checked_on_its_next_request(app: Flask) -> None:
    invite(app)
    client = _account(app, "engineer")
    assert client.get("/e/engagements/1").status_code == 200
    with app.app_context():
        session = db.session()
        user = session.scalars(select(User).where(User.email == "engineer@example.com")).one()
        user.role_rows[0].role = "sales"
        session.commit()
    assert client.get("/e/engagements/1").status_code == 403


# -- the accounts page ------------------------------------------------------------------------


def _user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session().scalars(select(User.id).where(User.email == email)).one()


def _post(client: FlaskClient, url: str, data: dict[str, object] | None = None) -> TestResponse:
    token = csrf_token(client.get("/e/admin/accounts").text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_the_accounts_link_is_shown_to_admins_only(app: Flask) -> None:
    assert 'href="/e/admin/accounts"' in _account(app, "admin").get("/e/").text
    assert 'href="/e/admin/accounts"' not in _account(app, "lead").get("/e/").text


def test_an_admin_changes_roles_with_the_checkboxes(app: Flask) -> None:
    admin, sales = _account(app, "admin"), _account(app, "sales")
    page = admin.get("/e/admin/accounts").text
    assert "sales@example.com" in page and 'value="sales" checked' in page
    sales_id = _user_id(app, "sales@example.com")
    saved = _post(admin, f"/e/admin/accounts/{sales_id}/roles", {"roles": ["sales", "lead"]})
    assert saved.status_code == 302
    assert sales.get("/e/engagements/new").status_code == 200  # a lead now
    assert "Saved the changes to sales@example.com" in admin.get("/e/admin/accounts").text


def test_an_admin_cannot_demote_themselves_and_is_told_why(app: Flask) -> None:
    admin = _account(app, "admin")
    own = _user_id(app, "admin@example.com")
    refused = _post(admin, f"/e/admin/accounts/{own}/roles", {"roles": ["lead"]})
    assert refused.status_code == 400
    assert "You cannot remove your own admin role" in refused.text
    assert admin.get("/e/admin/accounts").status_code == 200
    odd = _post(admin, f"/e/admin/accounts/{own}/roles", {"roles": ["admin", "root"]})
    assert odd.status_code == 400


def test_deactivating_signs_the_account_out_at_once(app: Flask) -> None:
    admin, eng = _account(app, "admin"), _account(app, "engineer")
    assert eng.get("/e/").status_code == 200
    eng_id = _user_id(app, "engineer@example.com")
    assert _post(admin, f"/e/admin/accounts/{eng_id}/deactivate").status_code == 302
    assert eng.get("/e/").location.startswith("/e/login")
    assert "Deactivated" in admin.get("/e/admin/accounts").text
    assert sign_in(app.test_client(), email="engineer@example.com").status_code == 400
    assert _post(admin, f"/e/admin/accounts/{eng_id}/reactivate").status_code == 302
    assert sign_in(app.test_client(), email="engineer@example.com").status_code == 302
