"""The app's commands: migrations, invitations, durations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from questionnaire import cli_app, cli_preview, cli_sow
from questionnaire.cli import LAZY_COMMANDS, main
from questionnaire.cli_app import parse_duration
from questionnaire.store import db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("QUESTIONNAIRE_DATABASE_URL", url)
    monkeypatch.setenv("QUESTIONNAIRE_SECRET_KEY", "cli-test")
    monkeypatch.setenv("QUESTIONNAIRE_BASE_URL", "https://forms.example.com/")
    monkeypatch.setenv("QUESTIONNAIRE_DEFINITIONS_DIR", str(ROOT / "definitions"))
    monkeypatch.setenv("QUESTIONNAIRE_RATELIMIT_STORAGE_URI", "memory://")
    return url


def test_db_upgrade_then_invite_prints_a_link_from_the_base_url(env: str) -> None:
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert db.current_revision(env) is not None
    result = runner.invoke(main, ["invite", "--customer", "Acme Health", "--expires-in", "48h"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("https://forms.example.com/r/")
    assert result.output.strip().endswith("/")


def test_invite_refuses_an_unknown_definition(env: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    result = runner.invoke(main, ["invite", "--customer", "Acme", "--definition", "pre_discovry"])
    assert result.exit_code == 2
    assert "unknown definition 'pre_discovry' (loaded: pre_discovery, validation)" in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14d", timedelta(days=14)), ("48h", timedelta(hours=48)), (" 30m ", timedelta(minutes=30))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "14", "d", "1w", "-1d", "99999d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_duration(text)


def test_user_create_reads_the_password_from_stdin(env: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    created = runner.invoke(
        main,
        ["user", "create", "Eng@Example.com", "--role", "engineer", "--password-stdin"],
        input="long enough pass\n",
    )
    assert created.exit_code == 0, created.output
    assert "created eng@example.com" in created.output
    again = runner.invoke(
        main,
        ["user", "create", "eng@example.com", "--role", "engineer", "--password-stdin"],
        input="long enough pass\n",
    )
    assert again.exit_code == 2 and "already exists" in again.output
    short = runner.invoke(
        main,
        ["user", "create", "b@example.com", "--role", "engineer", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 2 and "at least 12 characters" in short.output


PROMPT, CONFIRM, MISMATCH = "Password: ", "Repeat for confirmation: ", "do not match"


def _signs_in(email: str, password: str) -> bool:
    from questionnaire import create_app
    from questionnaire.services import accounts

    app = create_app()
    try:
        with app.app_context():
            return accounts.authenticate(db.session(), email, password) is not None
    finally:
        app.extensions["db_engine"].dispose()


def test_user_create_prompts_for_the_password_twice(env: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    created = runner.invoke(
        main,
        ["user", "create", "c@example.com", "--role", "engineer"],
        input="long enough pass\nlong enough pass\n",
    )
    assert created.exit_code == 0, created.output
    # Hidden input is not echoed: the output is the two prompts and the result, nothing else.
    assert created.output == f"{PROMPT}\n{CONFIRM}\ncreated c@example.com (engineer)\n"
    assert _signs_in("c@example.com", "long enough pass")


def test_user_create_refuses_a_confirmation_that_does_not_match(env: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"])
    refused = runner.invoke(
        main,
        ["user", "create", "d@example.com", "--role", "engineer"],
        input="long enough pass\nlong enough pasS\n",
    )
    assert refused.exit_code != 0  # asked again, then aborted when the input ran out
    assert MISMATCH in refused.output and "created" not in refused.output
    assert not _signs_in("d@example.com", "long enough pass")
    # After a mismatch it asks for both again, and keeps the pair that matched.
    retried = runner.invoke(
        main,
        ["user", "create", "d@example.com", "--role", "engineer"],
        input="first try pass\nfirst try pasS\nsecond try pass\nsecond try pass\n",
    )
    assert retried.exit_code == 0, retried.output
    assert retried.output.count(PROMPT) == 2 and retried.output.count(CONFIRM) == 2
    assert MISMATCH in retried.output
    assert _signs_in("d@example.com", "second try pass")
    assert not _signs_in("d@example.com", "first try pass")


def test_every_app_command_is_registered_lazily() -> None:
    """cli.LAZY_COMMANDS names each command cli_app, cli_sow and cli_preview provide, and
    nothing else."""
    app_commands = click.Group()
    cli_app.register(app_commands)
    provided = {**app_commands.commands, "prefill": cli_sow.prefill_command,
                "preview": cli_preview.preview}  # fmt: skip
    loaded = {name: main.get_command(click.Context(main), name) for name in LAZY_COMMANDS}
    assert loaded == provided
