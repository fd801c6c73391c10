"""Signing in and out without an app: failures are throttled per account and per address,
recorded, and answered alike whether or not the account exists."""

from __future__ import annotations

import time
from statistics import median

import pytest
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import accounts
from questionnaire.store.models import AuditEvent, User

PASSWORD = "correct horse battery staple"
HERE, ELSEWHERE = "203.0.113.5", "198.51.100.7"


class Counted:
    """An ``accounts.Throttle`` on the ``limits`` library in memory (the app uses it over
    Redis, with the same strategy): 3 failures per account, 5 per address, per minute."""

    def __init__(self, account: str = "3 per minute", address: str = "5 per minute") -> None:
        self.strategy = FixedWindowRateLimiter(MemoryStorage())
        self.limits: dict[str, RateLimitItem] = {
            "account": parse(account),
            "address": parse(address),
        }

    def wait(self, scope: str, key: str) -> int:
        if self.strategy.test(self.limits[scope], scope, key):
            return 0
        reset = self.strategy.get_window_stats(self.limits[scope], scope, key).reset_time
        return max(1, int(reset - time.time()))

    def failed(self, scope: str, key: str) -> int:
        self.strategy.hit(self.limits[scope], scope, key)
        return self.wait(scope, key)


@pytest.fixture
def user(db: Session) -> User:
    return accounts.create_user(db, "eng@example.com", PASSWORD, "Engineer")


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_correct_sign_in_is_recorded(db: Session, user: User) -> None:
    outcome = accounts.sign_in(db, Counted(), " ENG@example.com", PASSWORD, HERE)
    assert outcome == accounts.SignedIn(user)
    [event] = _events(db, "user.login")
    assert (event.actor, event.detail) == ("eng@example.com", {"address": HERE})


@pytest.mark.parametrize("email", ["eng@example.com", "nobody@example.com"])
def test_failures_are_refused_then_throttled_alike_for_known_and_unknown_accounts(
    db: Session, user: User, email: str
) -> None:
    throttle = Counted()
    outcomes = [accounts.sign_in(db, throttle, email, "wrong", HERE) for _ in range(4)]
    assert outcomes[:3] == [accounts.Refused()] * 3
    assert isinstance(outcomes[3], accounts.Throttled) and 0 < outcomes[3].retry_after <= 60
    failed = _events(db, "user.login_failed")
    assert len(failed) == 3  # the throttled attempt did not get as far as the password
    assert {(e.actor, tuple(sorted(e.detail))) for e in failed} == {
        ("anonymous", ("address", "email"))
    }  # the same record whether or not the account exists
    [throttled] = _events(db, "user.login_throttled")
    assert throttled.detail["scope"] == "account"


def test_a_throttled_account_is_refused_even_with_its_password(db: Session, user: User) -> None:
    throttle = Counted()
    for _ in range(3):
        accounts.sign_in(db, throttle, "eng@example.com", "wrong", HERE)
    outcome = accounts.sign_in(db, throttle, "eng@example.com", PASSWORD, ELSEWHERE)
    assert isinstance(outcome, accounts.Throttled)
    assert _events(db, "user.login") == []


def test_an_address_is_throttled_across_accounts_and_others_are_not(
    db: Session, user: User
) -> None:
    throttle = Counted()
    for n in range(5):  # five accounts, one failure each: only the address adds up
        assert (
            accounts.sign_in(db, throttle, f"guess{n}@example.com", "x", HERE) == accounts.Refused()
        )
    assert isinstance(
        accounts.sign_in(db, throttle, "eng@example.com", PASSWORD, HERE), accounts.Throttled
    )
    signed_in = accounts.sign_in(db, throttle, "eng@example.com", PASSWORD, ELSEWHERE)
    assert signed_in == accounts.SignedIn(user)


def test_an_unknown_account_costs_the_same_password_check(db: Session, user: User) -> None:
    """argon2 runs for both (against a dummy hash when the account is unknown)."""

    def timed(email: str) -> float:
        start = time.perf_counter()
        assert accounts.authenticate(db, email, "wrong") is None
        return time.perf_counter() - start

    known = median(timed("eng@example.com") for _ in range(5))
    unknown = median(timed("nobody@example.com") for _ in range(5))
    assert 0.5 < unknown / known < 2


def test_signing_out_ends_every_session_and_is_recorded(db: Session, user: User) -> None:
    cookie = accounts.login_id(user)
    assert accounts.user_for_login_id(db, cookie) == user
    accounts.sign_out(db, user)
    assert accounts.user_for_login_id(db, cookie) is None
    assert [e.actor for e in _events(db, "user.logout")] == ["eng@example.com"]


@pytest.mark.parametrize("user_id", ["\u00b2", "\u0661", "2147483648", "9" * 5000, "", "-1"])
def test_a_login_id_that_names_no_row_is_nobody(db: Session, user: User, user_id: str) -> None:
    assert accounts.user_for_login_id(db, f"{user_id}:{user.session_nonce}") is None
