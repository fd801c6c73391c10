"""The authors' command line, driven through Click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from questionnaire.cli import LAZY_COMMANDS, LazyGroup, main
from questionnaire.engine.schema import schema_text

from .engine.builders import as_yaml, choice, definition, equals, page, question

ROOT = Path(__file__).resolve().parents[1]

GOOD = definition(
    page(
        "network",
        choice("fabric", "cisco_aci", "traditional"),
        question("ha", "yes_no"),
        next=[{"to": "aci", "if": equals("fabric", "cisco_aci")}, {"to": "review"}],
    ),
    page("aci", question("aci_version"), next="review"),
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def defs(tmp_path: Path) -> Path:
    folder = tmp_path / "definitions"
    folder.mkdir()
    (folder / "good.yaml").write_text(as_yaml(GOOD))
    return folder


def test_lint_clean_folder_exits_0(runner: CliRunner, defs: Path) -> None:
    result = runner.invoke(main, ["lint", str(defs)])
    assert result.exit_code == 0, result.output
    assert "1 definition(s) loaded, 0 error(s), 0 warning(s)" in result.output


def test_lint_planted_mistake_exits_1_naming_file_and_line(runner: CliRunner, defs: Path) -> None:
    broken = as_yaml(GOOD).replace("type: yes_no", "type: yes_noo")
    (defs / "broken.yaml").write_text(broken)
    line = broken.splitlines().index("    type: yes_noo") + 1
    result = runner.invoke(main, ["lint", str(defs)])
    assert result.exit_code == 1
    assert (
        f"{defs / 'broken.yaml'}:{line}:5: error: question 'ha': unknown type 'yes_noo' (did you mean 'yes_no'?)"
        in result.output
    )
    # The broken file does not stop the good one from loading.
    assert "1 definition(s) loaded, 1 error(s)" in result.output


def test_lint_warnings_do_not_fail(runner: CliRunner, defs: Path) -> None:
    doc = definition(
        page("a", question("ha", "yes_no"), question("x", show_if=equals("ha", "yes")))
    )
    (defs / "warn.yaml").write_text(as_yaml({**doc, "id": "warn"}))
    result = runner.invoke(main, ["lint", str(defs / "warn.yaml")])
    assert result.exit_code == 0
    assert ": warning: 'ha' is a yes/no answer" in result.output


def test_lint_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["lint", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml:1:1: error: cannot read file" in result.output


def test_graph_prints_mermaid(runner: CliRunner, defs: Path) -> None:
    result = runner.invoke(main, ["graph", str(defs / "good.yaml")])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "flowchart TD",
        "    start([Start]) --> p_network",
        '    p_network["Network"]',
        '    p_aci["Aci"]',
        '    p_review(["Review and submit"])',
        '    p_network -->|"fabric is Cisco Aci"| p_aci',
        '    p_network -->|"otherwise"| p_review',
        "    p_aci --> p_review",
    ]


def test_simulate_reads_stdin_and_prints_json(runner: CliRunner, defs: Path) -> None:
    answers = json.dumps({"fabric": "cisco_aci", "ha": True, "stale": 1})
    result = runner.invoke(main, ["simulate", str(defs / "good.yaml"), "-"], input=answers)
    assert result.exit_code == 0, result.output
    flow = json.loads(result.output)
    assert flow["path"] == ["network", "aci"]
    assert flow["visible"] == {"network": ["fabric", "ha"], "aci": ["aci_version"]}
    assert flow["missing"] == ["aci_version"]
    assert flow["answers"] == {"fabric": "cisco_aci", "ha": True}
    assert flow["dropped"] == [
        {"question": "stale", "value": 1, "reason": "not a question in this definition"}
    ]


def test_simulate_accepts_yaml_and_refuses_non_mappings(
    runner: CliRunner, defs: Path, tmp_path: Path
) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("fabric: traditional\nha: false\n")
    result = runner.invoke(main, ["simulate", str(defs / "good.yaml"), str(answers)])
    assert json.loads(result.output)["complete"] is True
    result = runner.invoke(main, ["simulate", str(defs / "good.yaml"), "-"], input="[1, 2]")
    assert result.exit_code == 2 and "answers must be a mapping" in result.output


def test_path_tests_pass_and_fail(runner: CliRunner, defs: Path) -> None:
    tests = defs / "tests"
    tests.mkdir()
    (tests / "good.yaml").write_text(
        "definition: ../good.yaml\n"
        "cases:\n"
        "  - name: ACI branch\n"
        "    answers: {fabric: cisco_aci, ha: true, aci_version: '5.2'}\n"
        "    expect: {path: [network, aci], complete: true, visible: [aci_version]}\n"
        "  - name: wrong expectation\n"
        "    answers: {fabric: traditional}\n"
        "    expect: {path: [network, aci], hidden: [ha], dropped: [], missing: [ha]}\n"
    )
    result = runner.invoke(main, ["test", str(tests)])
    assert result.exit_code == 1
    assert f"{tests / 'good.yaml'}:6:1: FAIL wrong expectation" in result.output
    assert "path: expected ['network', 'aci'], got ['network']" in result.output
    assert "'ha' expected hidden, but it is shown" in result.output
    assert result.output.rstrip().endswith("1 passed, 1 failed")


def test_path_test_file_with_mistakes_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("definition: missing.yaml\ncases: []\nextra: 1\n")
    result = runner.invoke(main, ["test", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3:1: error: unknown key 'extra'" in result.output


def test_schema_matches_the_committed_copy(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Questionnaire definition"
    committed = ROOT / "docs" / "definition.schema.json"
    assert committed.read_text() == schema_text(), (
        "run: questionnaire schema -o docs/definition.schema.json"
    )


def test_schema_validates_the_shipped_definitions() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads(schema_text())
    for path in sorted((ROOT / "definitions").glob("*.yaml")):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=../docs/definition.schema.json"), (
            path
        )
        jsonschema.validate(yaml.safe_load(text), schema)


def _listed(help_text: str) -> dict[str, str]:
    """The commands a group's help lists, with their lines."""
    lines = help_text.split("Commands:")[1].splitlines()
    return {line.split()[0]: line for line in lines if line.strip()}


def test_help_lists_the_authors_tools_and_the_lazily_loaded_commands(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    authors = {"lint", "graph", "simulate", "test", "schema"}
    assert _listed(result.output).keys() == authors | LAZY_COMMANDS.keys()


def _group_with_missing_commands() -> click.Group:
    lazy = {"gone": "questionnaire.no_such_module:command", "renamed": "questionnaire.cli:nothing"}

    @click.group(cls=LazyGroup, lazy=lazy)
    def group() -> None:
        """A group whose lazy commands are missing: a module, and a name in a module."""

    @group.command()
    def here() -> None:
        click.echo("still works")

    return group


def test_a_command_whose_module_cannot_be_imported_is_listed_and_explains_itself(
    runner: CliRunner,
) -> None:
    group = _group_with_missing_commands()
    listed = runner.invoke(group, ["--help"])
    assert listed.exit_code == 0, listed.output
    listing = _listed(listed.output)
    assert listing["gone"].endswith("(unavailable: cannot import questionnaire.no_such_module)")
    assert listing["renamed"].endswith("(unavailable: questionnaire.cli has no nothing)")
    assert runner.invoke(group, ["here"]).output == "still works\n"
    failed = runner.invoke(group, ["gone", "--any-option", "x"])
    assert failed.exit_code == 1
    assert "'gone' is unavailable: cannot import questionnaire.no_such_module" in failed.output
    assert runner.invoke(group, ["renamed"]).exit_code == 1


def test_lint_checks_the_email_templates_with_file_and_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    broken = templates / "emails" / "broken.md"
    broken.write_text("---\nsubject: Hello {{ name }}\n---\nDear {{ name\n", encoding="utf-8")
    result = runner.invoke(main, ["lint", str(ROOT / "definitions"), "--templates", str(templates)])
    assert result.exit_code == 1
    assert f"{broken}:4:1: error: unexpected end of template" in result.output
    broken.unlink()
    clean = runner.invoke(main, ["lint", str(ROOT / "definitions"), "--templates", str(templates)])
    assert clean.exit_code == 0, clean.output
