"""The ``questionnaire`` command line: the authors' tools (lint, graph, simulate, test, schema).

The commands that need the web application (database, invitations, serving) and the SoW
pre-filler live in other modules, imported only when one of them runs or the command list is
shown: the authors' tools never import Flask, SQLAlchemy or WeasyPrint, so they start fast and
keep working where the web dependencies are broken or missing.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import yaml

from .engine import DefinitionError, Severity, evaluate, load_all, load_file
from .engine.facts import FACTS
from .engine.given import answer_given, records_problems, starting_records
from .engine.mermaid import mermaid
from .engine.pathtests import find_test_files, run_file
from .engine.prefill import starting_answers
from .engine.schema import schema_text

DEFAULT_DEFINITIONS = Path("definitions")


#: Commands written elsewhere, as ``module:attribute``, imported on first use.
LAZY_COMMANDS: Mapping[str, str] = {
    "db": "questionnaire.cli_app:db_group",
    "demo": "questionnaire.cli_app:demo",
    "invite": "questionnaire.cli_app:invite",
    "prefill": "questionnaire.cli_sow:prefill_command",
    "preview": "questionnaire.cli_preview:preview",
    "serve": "questionnaire.cli_app:serve",
    "user": "questionnaire.cli_app:user_group",
    "worker": "questionnaire.cli_app:worker_command",
}


class LazyGroup(click.Group):
    """A group whose ``lazy`` commands are imported only when they are looked up.

    Click looks a command up when it is invoked, when its own help is asked for, and for every
    command when the group's help lists them; nothing else imports their modules.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            return self._import(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _import(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy[cmd_name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            return _unavailable(cmd_name, f"cannot import {module_name}", str(exc))
        command = getattr(module, attribute, None)
        if command is None:
            problem = f"{module_name} has no {attribute}"
            return _unavailable(cmd_name, problem, "is cli.LAZY_COMMANDS out of date?")
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
        return command


def _unavailable(cmd_name: str, problem: str, detail: str) -> click.Command:
    """Stands in for a command whose module cannot be imported (a missing or broken web
    dependency), so that the group's help and the other commands still work."""

    def fail() -> None:
        raise click.ClickException(f"'{cmd_name}' is unavailable: {problem}: {detail}")

    return click.Command(
        cmd_name,
        callback=fail,
        short_help=f"(unavailable: {problem})",
        help=f"Unavailable: {problem}: {detail}",
        # Whatever options were given, say why the command cannot run rather than "no such option".
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


@click.group(
    cls=LazyGroup,
    lazy=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
    if (folder / "emails").is_dir():
        from questionnaire.services.email_templates import problems  # Jinja, not the app

        diagnostics += problems(folder / "emails")
        linted += f", emails in {folder / 'emails'} checked"
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
@click.option(
    "--facts",
    type=click.File("r", encoding="utf-8"),
    help="The engagement's handover facts (JSON or YAML): questions with prefill start from them.",
)
@click.option(
    "--records",
    type=click.File("r", encoding="utf-8"),
    help="The engagement's records (JSON or YAML) by source, e.g. pdr.virtual_services: a list "
    "of services; groups with records_from are given them.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The respondent's date (YYYY-MM-DD); by default today in the definition's time zone.",
)
def simulate(definition: Path, answers: Any, facts: Any, records: Any, today: Any) -> None:
    """Run DEFINITION on ANSWERS (a JSON or YAML file, or - for stdin) and print the flow as JSON."""
    questionnaire = _load(definition)
    data = _mapping(answers, "ANSWERS", "answers must be a mapping of question ids to values")
    known = facts_of(facts)
    given = records_of(records)
    starting = {**starting_answers(questionnaire, known), **starting_records(questionnaire, given)}
    result = evaluate(
        questionnaire,
        answer_given(questionnaire, starting, data),
        today=today.date() if today else None,
    )
    from questionnaire.engine.pathtests_shown import seen

    shown = {**result.as_json(), **seen(result)}  # labels as piped, notes shown, by name
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=str))


def facts_of(file: Any) -> dict[str, Any]:
    """The handover facts in the ``--facts`` file (none given: none); a name that is no fact
    is refused."""
    known = _mapping(file, "--facts", "facts must be a mapping of fact names to values")
    unknown = sorted(set(known) - set(FACTS))
    if unknown:
        raise click.BadParameter(
            f"unknown fact(s) {', '.join(unknown)} (the facts are: {', '.join(sorted(FACTS))})",
            param_hint="--facts",
        )
    return known


def records_of(file: Any) -> dict[str, Any]:
    """The engagement's records in the ``--records`` file, by source (none given: none)."""
    given = _mapping(file, "--records", "records must be a mapping of source names to lists")
    problems = records_problems(given)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="--records")
    return given


def _mapping(file: Any, hint: str, wrong_shape: str) -> dict[str, Any]:
    """The mapping in a JSON or YAML ``file`` (none given: an empty one)."""
    if file is None:
        return {}
    try:
        data = yaml.safe_load(file.read())
    except yaml.YAMLError as exc:
        raise click.BadParameter(f"not valid JSON or YAML: {exc}", param_hint=hint) from None
    if not isinstance(data, dict):
        raise click.BadParameter(wrong_shape, param_hint=hint)
    return data


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


if __name__ == "__main__":  # python -m questionnaire.cli, as the import tests run it
    main()
