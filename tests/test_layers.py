"""The layers hold by test as well as by ruff's banned-api rule (which a per-file ignore could
quietly switch off): the engine, sow_prefill and scheduling are pure, the use cases know no Flask, and no
view commits a transaction."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = {"flask", "flask_wtf", "flask_login", "werkzeug"}
DATABASE = {"sqlalchemy", "alembic", "psycopg"}
RULES = {
    "questionnaire/engine": WEB | DATABASE,
    "sow_prefill": WEB | DATABASE,
    "questionnaire/scheduling": WEB | DATABASE,
    "questionnaire/delivery": WEB | DATABASE,
    "questionnaire/services": WEB,
    "questionnaire/worker.py": WEB,
}


def modules(place: str) -> Iterator[Path]:
    path = ROOT / place
    yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def imported(path: Path) -> set[str]:
    """Every top-level package the module imports, at any depth of the code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("place", sorted(RULES))
def test_each_layer_imports_only_what_it_may(place: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(imported(path) & RULES[place])
        for path in modules(place)
        if imported(path) & RULES[place]
    }
    assert offences == {}


def test_no_view_commits_a_transaction() -> None:
    """Each use case owns its transaction: a view that commits has done a use case's work."""
    commits = []
    for path in modules("questionnaire/web"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"commit", "rollback"}:
                commits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert commits == []
