"""The ``questionnaire`` command line: the authors' tools (lint, graph, simulate, test, schema)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from .engine import DefinitionError, Severity, evaluate, load_all, load_file
from .engine.mermaid import mermaid
from .engine.pathtests import find_test_files, run_file
from .engine.schema import schema_text

DEFAULT_DEFINITIONS = Path("definitions")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Author, check and run pre-discovery questionnaires."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path),
    default=None,
    help="SoW templates folder to check too (default: templates/, when it exists and the "
    "pre_discovery definition loaded).",
)
def lint(paths: tuple[Path, ...], templates: Path | None) -> None:
    """Check definitions (files or folders; default: definitions/) and the SoW templates.

    Prints one `path:line:col: severity: message` line per problem; exits 1 if any is an error.
    Templates are checked against the `pre_discovery` definition, else (with --templates) against
    every definition that loaded.
    """
    report = load_all(paths or (DEFAULT_DEFINITIONS,))
    diagnostics = list(report.diagnostics)
    folder = templates if templates is not None else Path("templates")
    targets = [q for q in report.loaded.values() if q.id == "pre_discovery"]
    if not targets and templates is not None:
        targets = list(report.loaded.values())
    linted = ""
    if targets and (templates is not None or folder.is_dir()):
        from sow_prefill.lint import lint_templates  # only the lint needs Jinja

        found = {d for q in targets for d in lint_templates(folder, q)}
        diagnostics += sorted(found)
        linted = f", templates in {folder} checked"
    elif templates is not None:
        click.echo(f"{folder}: templates not checked: no definition loaded", err=True)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format())
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    summary = f"{len(report.loaded)} definition(s) loaded, {errors} error(s), {warnings} warning(s)"
    click.echo(summary + linted, err=True)
    sys.exit(1 if errors else 0)


def _load(path: Path) -> Any:
    try:
        return load_file(path)
    except DefinitionError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        sys.exit(1)


@main.command()
@click.argument("definition", type=click.Path(path_type=Path))
def graph(definition: Path) -> None:
    """Print DEFINITION's pages and conditional edges as a Mermaid flowchart."""
    click.echo(mermaid(_load(definition).definition), nl=False)


@main.command()
@click.argument("definition", type=click.Path(path_type=Path))
@click.argument("answers", type=click.File("r", encoding="utf-8"))
def simulate(definition: Path, answers: Any) -> None:
    """Run DEFINITION on ANSWERS (a JSON or YAML file, or - for stdin) and print the flow as JSON."""
    questionnaire = _load(definition)
    try:
        data = yaml.safe_load(answers.read())
    except yaml.YAMLError as exc:
        raise click.BadParameter(f"not valid JSON or YAML: {exc}", param_hint="ANSWERS") from None
    if not isinstance(data, dict):
        raise click.BadParameter(
            "answers must be a mapping of question ids to values", param_hint="ANSWERS"
        )
    result = evaluate(questionnaire, data)
    click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False, default=str))


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def run_tests(paths: tuple[Path, ...]) -> None:
    """Run path tests (files or folders; default: definitions/tests/)."""
    files = list(find_test_files(paths or (DEFAULT_DEFINITIONS / "tests",)))
    passed = failed = 0
    for path in files:
        results, problems = run_file(path)
        for diagnostic in problems:
            click.echo(diagnostic.format())
            failed += 1
        for result in results:
            if result.passed:
                passed += 1
                continue
            failed += 1
            click.echo(f"{result.file}:{result.line}:1: FAIL {result.name}")
            for failure in result.failures:
                click.echo(f"    {failure}")
    if not files:
        click.echo("no path test files found", err=True)
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not files else 0)


@main.command()
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to a file instead of stdout."
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the definition format (for editors)."""
    if output is None:
        click.echo(schema_text(), nl=False)
    else:
        output.write_text(schema_text(), encoding="utf-8")


def _register_app_commands() -> None:
    # Imported here so the authors' tools work even where the web dependencies are broken.
    from .cli_app import register
    from .cli_sow import register as register_sow

    register(main)
    register_sow(main)


_register_app_commands()
