"""Administering accounts: their roles, and whether they may sign in.

Two rules keep the team from locking itself out: an administrator cannot take away their own
admin role (or deactivate themselves), and the last active administrator keeps the role and
stays active. Every change is in the audit trail with who made it; each use case commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Role, User, UserRole

from . import audit
from .sow_desk import NotFound


class PeopleError(ValueError):
    """A change the rules refuse; the message says why. Nothing is changed, and the use case
    has ended its transaction (the locks it took are released)."""


@contextmanager
def _refusals_roll_back(db: Session) -> Iterator[None]:
    try:
        yield
    except PeopleError:
        db.rollback()
        raise


def accounts(db: Session) -> list[User]:
    """Every account, by email."""
    return list(db.scalars(select(User).order_by(User.email)))


def set_roles(db: Session, actor: User, user_id: int, roles: Iterable[Role]) -> User:
    """Give the account exactly ``roles``."""
    user = _account(db, user_id)
    wanted = frozenset(roles)
    before = user.roles
    if Role.ADMIN in before and Role.ADMIN not in wanted:
        if user.id == actor.id:
            raise PeopleError("You cannot remove your own admin role: ask another administrator")
        with _refusals_roll_back(db):
            _keep_an_admin(db, user, "remove the admin role from")
    # Kept rows stay: a new row beside an old one of the same role would clash on the key.
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    user.role_rows.extend(UserRole(role=role.value) for role in sorted(wanted - before))
    audit.record(db, actor.email, "user.roles", user=user.email,
                 before=sorted(before), after=sorted(wanted))  # fmt: skip
    db.commit()
    return user


def deactivate(db: Session, actor: User, user_id: int) -> User:
    """Stop the account signing in, and end its sessions at once (its nonce changes)."""
    user = _account(db, user_id)
    if user.id == actor.id:
        raise PeopleError("You cannot deactivate your own account: ask another administrator")
    if user.active and Role.ADMIN in user.roles:
        with _refusals_roll_back(db):
            _keep_an_admin(db, user, "deactivate")
    user.active = False
    user.session_nonce = secrets.token_hex(16)
    audit.record(db, actor.email, "user.deactivate", user=user.email)
    db.commit()
    return user


def reactivate(db: Session, actor: User, user_id: int) -> User:
    """Let the account sign in again (its old sessions stay ended)."""
    user = _account(db, user_id)
    user.active = True
    audit.record(db, actor.email, "user.reactivate", user=user.email)
    db.commit()
    return user


def _account(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user


def _keep_an_admin(db: Session, user: User, doing: str) -> None:
    """Refuse if ``user`` is the last active administrator.

    The active administrators' rows are locked first (``FOR UPDATE`` on PostgreSQL), so two
    administrators demoting each other at once are taken one after the other, and the second
    sees that only one is left.
    """
    admins = db.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
        .order_by(User.id)
        .with_for_update(of=User)
    ).all()
    if set(admins) <= {user.id}:
        raise PeopleError(f"You cannot {doing} the last active administrator")
