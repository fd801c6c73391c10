"""``questionnaire user create`` gives the account the roles named by ``--role`` (at least one,
from the known four)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.cli import main
from questionnaire.store import db
from questionnaire.store.models import AuditEvent, Role, User

PASSWORD = "long enough pass\n"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("QUESTIONNAIRE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("QUESTIONNAIRE_SECRET_KEY", "cli-test")
    monkeypatch.setenv("QUESTIONNAIRE_RATELIMIT_STORAGE_URI", "memory://")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def _create(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        main, ["user", "create", "pat@example.com", *args, "--password-stdin"], input=PASSWORD
    )
    return result.exit_code, result.output


def _stored(tmp_path: Path) -> tuple[frozenset[Role], list[AuditEvent]]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}")
    try:
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.email == "pat@example.com")).one()
            return user.roles, list(session.scalars(select(AuditEvent)))
    finally:
        engine.dispose()


def test_repeated_roles_are_all_given(runner: CliRunner, tmp_path: Path) -> None:
    code, output = _create(runner, "--role", "sales", "--role", "engineer")
    assert code == 0, output
    assert "created pat@example.com (engineer, sales)" in output
    roles, events = _stored(tmp_path)
    assert roles == {Role.SALES, Role.ENGINEER}
    assert [e.detail["roles"] for e in events if e.action == "user.create"] == [
        ["engineer", "sales"]
    ]


def test_a_role_is_required(runner: CliRunner) -> None:
    code, output = _create(runner)
    assert code == 2 and "Missing option '--role'" in output


def test_an_unknown_role_is_refused_with_the_choices(runner: CliRunner) -> None:
    code, output = _create(runner, "--role", "root")
    assert code == 2 and "'root' is not one of 'sales', 'lead', 'engineer', 'admin'" in output
