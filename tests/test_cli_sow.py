"""``questionnaire prefill``: answers file in, draft SoW out, driven through Click's CliRunner."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner, Result
from pypdf import PdfReader

from questionnaire import cli_sow
from questionnaire.cli import main
from sow_prefill.templates import load_library

ROOT = Path(__file__).resolve().parents[1]
DEFINITION = ROOT / "definitions" / "pre_discovery.yaml"
TEMPLATES = ROOT / "templates"


def templates_args(folder: Path) -> list[str]:
    return ["--definition", str(DEFINITION), "--templates-dir", str(folder)]


def complete_case(prefix: str) -> dict[str, Any]:
    cases = yaml.safe_load((ROOT / "definitions" / "tests" / "pre_discovery.yaml").read_text())[
        "cases"
    ]
    answers: dict[str, Any] = next(c for c in cases if c["name"].startswith(prefix))["answers"]
    return answers


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """The complete medical response as a YAML file."""
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(complete_case("Complete response - medical")))
    return path


def prefill(runner: CliRunner, *args: str | Path, input: str | None = None) -> Result:
    argv = [
        "prefill",
        *map(str, args),
        "--definition",
        str(DEFINITION),
        "--templates-dir",
        str(TEMPLATES),
    ]
    result = runner.invoke(main, argv, input=input)
    assert "Traceback" not in result.output
    return result


def test_markdown_to_stdout_summary_to_stderr(runner: CliRunner, answers: Path) -> None:
    result = prefill(runner, answers, "--customer", "Northshire <Health>", "--project", "PACS")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Statement of Work")
    assert "- [ ] SoW number" in result.stdout  # never in the answers: always to confirm
    assert "Northshire \\<Health\\>" in result.stdout  # escaped: text, not markup
    assert "item(s) to confirm" in result.stderr and "item(s)" not in result.stdout


def test_html_pdf_and_docx_files(runner: CliRunner, answers: Path, tmp_path: Path) -> None:
    for fmt in ("html", "pdf", "docx"):
        out = tmp_path / f"sow.{fmt}"
        result = prefill(runner, answers, "--format", fmt, "-o", out, "--customer", "Northshire")
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert f"written to {out}" in result.stderr
    html = (tmp_path / "sow.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Statement of Work" in html
    pdf = PdfReader(io.BytesIO((tmp_path / "sow.pdf").read_bytes()))
    assert pdf.metadata is not None and str(pdf.metadata.title).startswith("Statement of Work")
    assert "Northshire" in "".join(page.extract_text() for page in pdf.pages)
    document = docx.Document(str(tmp_path / "sow.docx"))
    style = document.paragraphs[0].style
    assert style is not None and style.name == "Heading 1"
    assert document.paragraphs[0].text.startswith("Statement of Work")
    assert any(
        "Northshire" in cell.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    )


def test_format_follows_the_output_extension(
    runner: CliRunner, answers: Path, tmp_path: Path
) -> None:
    result = prefill(runner, answers, "-o", tmp_path / "sow.docx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sow.docx").read_bytes().startswith(b"PK")
    prefill(runner, answers, "-o", tmp_path / "sow.txt")
    assert (tmp_path / "sow.txt").read_text().startswith("# Statement of Work")


def test_binary_to_stdout_only_when_not_a_terminal(
    runner: CliRunner, answers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = prefill(runner, answers, "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF")
    monkeypatch.setattr(cli_sow, "_stdout_is_terminal", lambda: True)
    result = prefill(runner, answers, "--format", "docx")
    assert result.exit_code == 2
    assert "docx is binary: write it with -o FILE, or redirect stdout" in result.stderr
    assert result.stdout_bytes == b""


def test_chosen_template(runner: CliRunner, answers: Path) -> None:
    storage = load_library(TEMPLATES).get("storage")
    if storage is None:
        pytest.skip("templates/storage.yaml is not written yet")
    result = prefill(runner, answers, "--template", "storage")
    assert result.exit_code == 0, result.output
    first_line = result.stdout.splitlines()[0]
    assert first_line == f"# Statement of Work: {storage.spec.title}"  # storage only, not medical


def test_chosen_templates_in_a_folder_of_our_own(
    runner: CliRunner, answers: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(TEMPLATES / "base.yaml", folder)
    for name in ("alpha", "beta"):
        spec = {
            "id": name,
            "title": name.title(),
            "sections": [{"id": "background", "markdown": f"From {name}."}],
        }
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec))
    result = runner.invoke(
        main,
        [
            "prefill",
            str(answers),
            *templates_args(folder),
            "--template",
            "beta",
            "--template",
            "alpha",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Statement of Work: Beta + Alpha\n")
    assert result.stdout.index("From beta.") < result.stdout.index("From alpha.")


def test_unknown_template_exits_2_naming_the_known_ones(runner: CliRunner, answers: Path) -> None:
    result = prefill(runner, answers, "--template", "nope")
    assert result.exit_code == 2
    assert "unknown template 'nope' (known: " in result.stderr
    assert result.stdout == ""


def test_answers_from_stdin_as_json(runner: CliRunner) -> None:
    result = prefill(runner, "-", input=json.dumps(complete_case("Complete response - medical")))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Statement of Work")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just\n- a list\n", "answers must be a mapping of question ids to values"),
        ("42\n", "answers must be a mapping of question ids to values"),
        ("", "answers must be a mapping of question ids to values"),
        ("a: [unclosed\n", "not valid JSON or YAML"),
    ],
)
def test_answers_that_are_not_a_mapping_are_refused(
    runner: CliRunner, text: str, message: str
) -> None:
    result = prefill(runner, "-", input=text)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_answers_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = prefill(runner, tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.stderr


def test_dropped_answers_are_reported(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({**complete_case("Complete response - medical"), "storage_vendor": "X"})
    )
    result = prefill(runner, path)
    assert result.exit_code == 0, result.output
    assert "1 answer(s) dropped (storage_vendor)" in result.stderr


def test_broken_definition_exits_1_with_diagnostics(
    runner: CliRunner, answers: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\npages: 3\n")
    result = runner.invoke(main, ["prefill", str(answers), "--definition", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:" in result.stderr and "error" in result.stderr
    missing = runner.invoke(
        main, ["prefill", str(answers), "--definition", str(tmp_path / "none.yaml")]
    )
    assert missing.exit_code == 1 and "cannot read file" in missing.stderr


def test_broken_templates_exit_1(runner: CliRunner, answers: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["prefill", str(answers), *templates_args(empty)])
    assert result.exit_code == 1
    assert "expected one base template, found 0" in result.stderr

    failing = tmp_path / "failing"
    failing.mkdir()
    base = {
        "id": "base",
        "kind": "base",
        "title": "SoW",
        "sections": [{"id": "a", "title": "A", "markdown": "{{ nope }}"}],
    }
    (failing / "base.yaml").write_text(yaml.safe_dump(base))
    result = runner.invoke(main, ["prefill", str(answers), *templates_args(failing)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "'nope' is undefined" in result.stderr
    assert "Traceback" not in result.output


def test_unwritable_output_exits_1(runner: CliRunner, answers: Path, tmp_path: Path) -> None:
    result = prefill(runner, answers, "-o", tmp_path / "no" / "such" / "dir.md")
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
