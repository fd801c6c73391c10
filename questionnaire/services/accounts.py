"""Engineers' accounts: argon2 password hashes, and a nonce that ends every session on logout.

Signing in is throttled: failures are counted per account and per client address in a store
that every worker shares (a :class:`Throttle`), and once either has failed too often, sign-ins
from it are refused without checking the password until its window ends. An unknown account
is counted, recorded and answered exactly as a known one, so nothing tells them apart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.models import MAX_INT, Role, User, UserRole

from . import audit

_hasher = PasswordHasher()
#: Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    db: Session,
    email: str,
    password: str,
    name: str | None = None,
    *,
    roles: Iterable[Role] = (Role.ENGINEER,),
) -> User:
    """A new account holding ``roles`` (at least one: an account without any can only sign
    out). Engineers by default, as every account was before there were roles."""
    email = normalise_email(email)
    held = sorted(set(roles))
    if not held:
        raise AccountError("Give the account at least one role")
    if "@" not in email or len(email) > 254:
        raise AccountError("Enter an email address, like name@example.com")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters")
    if db.scalar(select(func.count()).where(User.email == email)):
        raise AccountError(f"An account for {email} already exists")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=_hasher.hash(password),
        session_nonce=secrets.token_hex(16),
        role_rows=[UserRole(role=role.value) for role in held],
    )
    db.add(user)
    db.flush()
    audit.record(db, "cli", "user.create", user=email, roles=[role.value for role in held])
    db.commit()
    return user


def ensure_user(db: Session, email: str, password: str, name: str | None = None) -> User:
    """Create the account, or set its password if it exists (the demo's engineer login), with
    every role, so that the demo shows every page."""
    user = db.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    if user is None:
        return create_user(db, email, password, name, roles=Role)
    user.password_hash = _hasher.hash(password)
    user.session_nonce = secrets.token_hex(16)
    user.active = True
    missing = set(Role) - user.roles
    user.role_rows.extend(UserRole(role=role.value) for role in sorted(missing))
    db.commit()
    return user


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, else ``None`` (in constant-ish time)."""
    user = db.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.commit()
    return user


# -- signing in and out -------------------------------------------------------------------------


class Throttle(Protocol):
    """Failure counters by scope (``account``, ``address``) and key, each with its own limit."""

    def wait(self, scope: str, key: str) -> int:
        """Seconds before ``key`` may try again (0: it may now). Counts nothing."""
        ...

    def failed(self, scope: str, key: str) -> int:
        """Count one failure of ``key``; the seconds it must now wait (0: none)."""
        ...


@dataclass(frozen=True)
class SignedIn:
    user: User


@dataclass(frozen=True)
class Refused:
    """Wrong email or password, an inactive account: the same answer for all."""


@dataclass(frozen=True)
class Throttled:
    retry_after: int


def sign_in(
    db: Session, throttle: Throttle, email: str, password: str, address: str
) -> SignedIn | Refused | Throttled:
    """Check the credentials unless the account or the address must wait; record the outcome."""
    keys = {"account": _account_key(email), "address": address}
    wait = max(throttle.wait(scope, key) for scope, key in keys.items())
    if wait:
        return Throttled(wait)
    user = authenticate(db, email, password)
    if user is None:
        _record_failure(db, throttle, keys, normalise_email(email), address)
        return Refused()
    audit.record(db, user.email, "user.login", address=address)
    db.commit()
    return SignedIn(user)


def _account_key(email: str) -> str:
    """The account's counter key: a hash, so no address typed at the login is kept in Redis."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def _record_failure(
    db: Session, throttle: Throttle, keys: dict[str, str], email: str, address: str
) -> None:
    # The email as typed, whether or not it is an account's: the record says nothing more.
    audit.record(db, "anonymous", "user.login_failed", email=email[:254], address=address)
    for scope, key in keys.items():
        if throttle.failed(scope, key):
            audit.record(db, "anonymous", "user.login_throttled", scope=scope, email=email[:254],
                         address=address)  # fmt: skip
    db.commit()


def sign_out(db: Session, user: User) -> None:
    """End every session of the account (the nonce in their cookies changes), and record it."""
    user.session_nonce = secrets.token_hex(16)
    audit.record(db, user.email, "user.logout")
    db.commit()


def login_id(user: User) -> str:
    return f"{user.id}:{user.session_nonce}"


def user_for_login_id(db: Session, login_id_value: str) -> User | None:
    user_id, _, nonce = login_id_value.partition(":")
    # The cookie is signed, but an id must still fit its column before it is looked up.
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 10):
        return None
    if int(user_id) > MAX_INT:
        return None
    user = db.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user
