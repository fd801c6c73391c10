"""Engineers' accounts: argon2 password hashes, and a nonce that ends every session on logout."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.models import User

from . import audit

_hasher = PasswordHasher()
#: Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(db: Session, email: str, password: str, name: str | None = None) -> User:
    email = normalise_email(email)
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
    )
    db.add(user)
    db.flush()
    audit.record(db, "cli", "user.create", user=email)
    db.commit()
    return user


def ensure_user(db: Session, email: str, password: str, name: str | None = None) -> User:
    """Create the account, or set its password if it exists (the demo's engineer login)."""
    user = db.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    if user is None:
        return create_user(db, email, password, name)
    user.password_hash = _hasher.hash(password)
    user.session_nonce = secrets.token_hex(16)
    user.active = True
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


def end_sessions(db: Session, user: User) -> None:
    """Every login cookie issued so far stops working."""
    user.session_nonce = secrets.token_hex(16)
    db.commit()


def login_id(user: User) -> str:
    return f"{user.id}:{user.session_nonce}"


def user_for_login_id(db: Session, login_id_value: str) -> User | None:
    user_id, _, nonce = login_id_value.partition(":")
    if not user_id.isdigit():
        return None
    user = db.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user
