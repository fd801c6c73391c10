"""The app's commands: migrations, invitations, durations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from questionnaire.cli import main
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
    assert "unknown definition 'pre_discovry' (loaded: pre_discovery)" in result.output


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
