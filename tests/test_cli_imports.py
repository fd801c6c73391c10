"""The authors' commands import only what they need (issue 7): never Flask, SQLAlchemy or the web
app; Jinja only where templates are read; WeasyPrint only for a PDF.

Each command runs in a fresh interpreter under ``python -X importtime``, which lists every module
the run imported, on a one-page definition in an empty folder (so no default ``templates/`` is
picked up).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .engine.builders import as_yaml, definition, page, question

#: Libraries an author's command must not import unless it needs them.
HEAVY = frozenset({"flask", "sqlalchemy", "weasyprint", "werkzeug", "jinja2"})
#: Parts of this project that belong to the web application.
WEB_MODULES = tuple(f"questionnaire.{name}" for name in ("cli_app", "web", "store", "services"))

BASE_TEMPLATE = """\
id: base
kind: base
title: Statement of Work
reads: [organisation]
sections:
  - id: background
    title: Background
    markdown: |
      Customer: {{ answer("organisation", "Customer") }}
"""
PATH_TEST = """\
definition: ../one.yaml
cases:
  - name: answered
    answers: {organisation: Acme}
    expect: {path: [about], complete: true}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-question definition, its path test, answers and a one-section SoW template."""
    root = tmp_path_factory.mktemp("authors")
    (root / "definitions" / "tests").mkdir(parents=True)
    (root / "sow").mkdir()
    one = definition(page("about", question("organisation")), id="one")
    (root / "definitions" / "one.yaml").write_text(as_yaml(one))
    (root / "definitions" / "tests" / "one.yaml").write_text(PATH_TEST)
    (root / "sow" / "base.yaml").write_text(BASE_TEMPLATE)
    (root / "answers.json").write_text(json.dumps({"organisation": "Acme"}))
    return root


def imported_modules(args: list[str], cwd: Path, stdin: str = "") -> set[str]:
    """The full names of the modules ``python -m questionnaire ARGS`` imports (what the
    ``questionnaire`` script runs); the command must succeed."""
    return python_imports(["-m", "questionnaire", *args], cwd, stdin)


def python_imports(args: list[str], cwd: Path, stdin: str = "") -> set[str]:
    """The full names of the modules ``python ARGS`` imports; it must succeed."""
    command = [sys.executable, "-X", "importtime", *args]
    run = subprocess.run(
        command, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # "import time:       123 |        456 |     package.module" (nested imports are indented).
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    names = {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # lines[0] is the header
    assert "questionnaire.cli" in names or "questionnaire" in names, "importtime output not parsed"
    return names


ONE = "definitions/one.yaml"
PREFILL = ["prefill", "answers.json", "--definition", ONE, "--templates-dir", "sow"]
CASES = {
    "lint": (["lint", ONE], set()),
    "lint with templates": (["lint", "--templates", "sow", ONE], {"jinja2"}),
    "graph": (["graph", ONE], set()),
    "simulate": (["simulate", ONE, "-"], set()),
    "test": (["test", "definitions/tests"], set()),
    "schema": (["schema"], set()),
    "preview's help": (["preview", "--help"], set()),
    "prefill md": ([*PREFILL, "-o", "draft.md"], {"jinja2"}),
    "prefill docx": ([*PREFILL, "-o", "draft.docx"], {"jinja2"}),
    "prefill pdf": ([*PREFILL, "--format", "pdf", "-o", "draft.pdf"], {"jinja2", "weasyprint"}),
}


@pytest.mark.parametrize(("args", "needed"), CASES.values(), ids=CASES.keys())
def test_an_authors_command_imports_only_the_libraries_it_needs(
    folder: Path, args: list[str], needed: set[str]
) -> None:
    names = imported_modules(args, folder, stdin='{"organisation": "Acme"}')
    top_level = {name.split(".", 1)[0] for name in names}
    assert top_level & HEAVY == needed
    web = sorted(n for n in names if n.startswith(WEB_MODULES))
    assert web == [], "the web application was imported"


#: What ``questionnaire preview`` does once its server is up: make the app and serve a page.
PREVIEW = """\
from questionnaire.cli_preview import preview
from questionnaire.web.preview import create_preview_app
client = create_preview_app("definitions/one.yaml").test_client()
assert client.get("/p/about").status_code == 200
assert client.get("/review").status_code == 200
"""


def test_the_preview_serves_pages_without_the_database_or_pdf_libraries(folder: Path) -> None:
    names = python_imports(["-c", PREVIEW], folder)
    top_level = {name.split(".", 1)[0] for name in names}
    assert top_level & HEAVY == {"flask", "werkzeug", "jinja2"}  # it serves pages, and no more
    assert not top_level & {"sqlalchemy", "alembic", "psycopg", "weasyprint"}
    app = sorted(
        n for n in names if n in APP_ONLY or n.startswith(tuple(f"{m}." for m in APP_ONLY))
    )
    assert app == [], "the web application's database, sign-in or views were imported"
    services = {n for n in names if n.startswith("questionnaire.services")}
    assert services <= PREVIEW_SERVICES


#: What the preview must not import: the database, the app itself and its views.
APP_ONLY = tuple(
    f"questionnaire.{name}"
    for name in (
        "cli_app",
        "store",
        "worker",
        "web.app",
        "web.auth",
        "web.customer",
        "web.engineer",
    )
)
#: The use cases' modules the preview may use: the settings' defaults (the contact address) and
#: how answers show in inputs, how a file's kind is judged; none of them touches a database.
PREVIEW_SERVICES = {
    f"questionnaire.services{name}"
    for name in (
        "",
        ".settings",
        ".booking_settings",
        ".closeout_settings",
        ".inputs",
        ".filetypes",
    )
}
