"""Administering accounts without an app: roles change, nobody locks the team out, a
deactivated account's sessions end at once, and every change is in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import accounts, people
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.models import AuditEvent, Role, User

PASSWORD = "correct horse battery staple"


def _user(db: Session, name: str, *roles: Role) -> User:
    return accounts.create_user(db, f"{name}@example.com", PASSWORD, name, roles=roles)


@pytest.fixture
def admin(db: Session) -> User:
    return _user(db, "admin", Role.ADMIN, Role.LEAD)


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_roles_are_set_exactly_and_recorded_with_who(db: Session, admin: User) -> None:
    eng = _user(db, "eng", Role.ENGINEER)
    people.set_roles(db, admin, eng.id, {Role.SALES, Role.LEAD})
    db.expire_all()
    assert db.get(User, eng.id).roles == {Role.SALES, Role.LEAD}  # type: ignore[union-attr]
    [event] = _events(db, "user.roles")
    assert event.actor == "admin@example.com" and event.at is not None
    assert event.detail == {"user": "eng@example.com", "before": ["engineer"],
                            "after": ["lead", "sales"]}  # fmt: skip


def test_keeping_a_role_while_adding_others_keeps_it(db: Session, admin: User) -> None:
    eng = _user(db, "eng", Role.ENGINEER)
    people.set_roles(db, admin, eng.id, {Role.ENGINEER, Role.ADMIN})
    db.expire_all()
    assert db.get(User, eng.id).roles == {Role.ENGINEER, Role.ADMIN}  # type: ignore[union-attr]


def test_an_admin_cannot_remove_their_own_admin_role(db: Session, admin: User) -> None:
    _user(db, "other", Role.ADMIN)  # not the last: it is refused because it is their own
    with pytest.raises(people.PeopleError, match="your own admin role"):
        people.set_roles(db, admin, admin.id, {Role.LEAD})
    db.rollback()
    assert Role.ADMIN in admin.roles and _events(db, "user.roles") == []


def test_the_last_active_admin_keeps_the_role_and_stays_active(db: Session, admin: User) -> None:
    other = _user(db, "other", Role.ADMIN)
    people.deactivate(db, admin, other.id)  # leaves one active admin
    cli = _user(db, "cli", Role.ENGINEER)  # an actor that is not the admin themselves
    with pytest.raises(people.PeopleError, match="last active administrator"):
        people.set_roles(db, cli, admin.id, {Role.LEAD})
    db.rollback()
    with pytest.raises(people.PeopleError, match="last active administrator"):
        people.deactivate(db, cli, admin.id)
    db.rollback()
    assert admin.active and Role.ADMIN in admin.roles
    people.reactivate(db, admin, other.id)
    people.set_roles(db, cli, admin.id, {Role.LEAD})  # with two, one may go
    assert admin.roles == {Role.LEAD}


def test_an_admin_cannot_deactivate_themselves(db: Session, admin: User) -> None:
    _user(db, "other", Role.ADMIN)
    with pytest.raises(people.PeopleError, match="your own account"):
        people.deactivate(db, admin, admin.id)


def test_deactivating_ends_every_session_at_once(db: Session, admin: User) -> None:
    eng = _user(db, "eng", Role.ENGINEER)
    cookie = accounts.login_id(eng)
    assert accounts.user_for_login_id(db, cookie) == eng
    people.deactivate(db, admin, eng.id)
    assert accounts.user_for_login_id(db, cookie) is None
    assert accounts.authenticate(db, "eng@example.com", PASSWORD) is None
    people.reactivate(db, admin, eng.id)
    assert accounts.user_for_login_id(db, cookie) is None  # the old session stays ended
    assert accounts.authenticate(db, "eng@example.com", PASSWORD) == eng
    assert [(e.actor, e.detail) for e in _events(db, "user.deactivate")] == [
        ("admin@example.com", {"user": "eng@example.com"})
    ]
    assert [e.detail for e in _events(db, "user.reactivate")] == [{"user": "eng@example.com"}]


def test_an_unknown_account_is_not_found(db: Session, admin: User) -> None:
    with pytest.raises(NotFound):
        people.deactivate(db, admin, 2147483647)


def test_accounts_are_listed_by_email(db: Session, admin: User) -> None:
    _user(db, "bea", Role.SALES)
    assert [u.email for u in people.accounts(db)] == ["admin@example.com", "bea@example.com"]


def test_an_account_is_made_with_its_roles_and_needs_one(db: Session) -> None:
    assert _user(db, "two", Role.SALES, Role.ENGINEER).roles == {Role.SALES, Role.ENGINEER}
    assert accounts.create_user(db, "plain@example.com", PASSWORD).roles == {Role.ENGINEER}
    with pytest.raises(accounts.AccountError, match="at least one role"):
        accounts.create_user(db, "none@example.com", PASSWORD, roles=())


def test_the_demo_login_gets_every_role(db: Session) -> None:
    made = accounts.ensure_user(db, "demo@example.com", PASSWORD)
    assert made.roles == set(Role)
    eng = _user(db, "eng", Role.ENGINEER)
    assert accounts.ensure_user(db, "eng@example.com", PASSWORD).roles == set(Role)
    assert eng.roles == set(Role)
