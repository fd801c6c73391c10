"""``questionnaire prefill``: a draft SoW from an answers file, without the web app.

The answers go through the flow first (as the web app does), so only answers on the path are
used, computed values are available to the templates and stale answers are reported as
dropped. The draft is written as Markdown, HTML, PDF or Word; a summary goes to stderr.

Output: ``-o FILE`` writes the file (the format defaults to FILE's extension). Without ``-o`` the
document goes to stdout: text formats always, PDF and Word only when stdout is not a terminal
(redirected or piped), so binary never lands on a screen.

Exit codes: 0 written; 1 a broken definition or template, a template that fails to render, or
an output file that cannot be written; 2 a usage mistake (unreadable or non-mapping answers, an
unknown template, binary output to a terminal).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click
import yaml

from .engine import DefinitionError, Questionnaire, load_file

if TYPE_CHECKING:
    from sow_prefill.export import Format
    from sow_prefill.templates import Library

DEFAULT_DEFINITION = Path("definitions/pre_discovery.yaml")
DEFAULT_TEMPLATES = Path("templates")
FORMATS = ("md", "html", "pdf", "docx")
BINARY = frozenset({"pdf", "docx"})
SUFFIXES = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}


def _fail(diagnostics: Any) -> NoReturn:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    sys.exit(1)


def _read_answers(answers: Any) -> dict[str, Any]:
    try:
        data = yaml.safe_load(answers.read())
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"not valid JSON or YAML: {exc}", param_hint="ANSWERS") from None
    if not isinstance(data, dict):
        raise click.BadParameter(
            "answers must be a mapping of question ids to values", param_hint="ANSWERS"
        )
    return data


def _load(definition: Path, templates_dir: Path) -> tuple[Questionnaire, Library]:
    from sow_prefill.templates import load_library

    try:
        questionnaire = load_file(definition)
    except DefinitionError as exc:
        _fail(exc.diagnostics)
    try:
        library = load_library(templates_dir)
    except DefinitionError as exc:
        _fail(exc.diagnostics)
    return questionnaire, library


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _format(fmt: str | None, output: Path | None) -> Format:
    if fmt is None:
        fmt = SUFFIXES.get(output.suffix.lower(), "md") if output is not None else "md"
    return cast("Format", fmt)


@click.command("prefill")
@click.argument("answers", type=click.File("r", encoding="utf-8"))
@click.option(
    "--definition",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DEFINITION,
    show_default=True,
    help="The questionnaire the answers belong to.",
)
@click.option(
    "--template",
    "template_ids",
    multiple=True,
    metavar="NAME",
    help="A deployment template to use (repeatable); default: every template whose applies_if holds.",
)
@click.option(
    "--templates-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_TEMPLATES,
    show_default=True,
    help="The folder of SoW templates.",
)
@click.option("--customer", help="The customer's name (an engagement fact).")
@click.option("--project", help="The project's name (an engagement fact).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format; default: from -o's extension, else md.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout (required for pdf/docx when stdout is a terminal).",
)
def prefill_command(
    answers: Any,
    definition: Path,
    template_ids: tuple[str, ...],
    templates_dir: Path,
    customer: str | None,
    project: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Pre-fill a draft Statement of Work from ANSWERS (a JSON or YAML file, or - for stdin)."""
    # Imported here: the other commands start faster without the pre-filler and the exporters.
    from sow_prefill.export import DocumentTooLarge, export
    from sow_prefill.prefill import draft_from_answers
    from sow_prefill.sandbox import RenderError

    data = _read_answers(answers)
    chosen = _format(fmt, output)
    if output is None and chosen in BINARY and _stdout_is_terminal():
        raise click.UsageError(f"{chosen} is binary: write it with -o FILE, or redirect stdout")
    questionnaire, library = _load(definition, templates_dir)
    for template_id in template_ids:
        if library.get(template_id) is None:
            known = ", ".join(t.id for t in library.deployments) or "none"
            raise click.BadParameter(
                f"unknown template '{template_id}' (known: {known})", param_hint="--template"
            )

    facts = {key: value for key, value in (("customer", customer), ("project", project)) if value}
    try:
        draft, flow = draft_from_answers(library, questionnaire, data, facts, template_ids or None)
        document = export(draft.markdown(), draft.title, chosen)
    except (RenderError, DocumentTooLarge) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)

    if output is None:
        click.echo(document, nl=False)  # bytes go to stdout's binary buffer
    else:
        try:
            output.write_bytes(document)
        except OSError as exc:
            click.echo(f"error: cannot write {output}: {exc}", err=True)
            sys.exit(1)
    _summary(draft.title, len(draft.checklist), flow.dropped, flow.missing, output)


def _summary(
    title: str, to_confirm: int, dropped: Any, missing: tuple[str, ...], output: Path | None
) -> None:
    parts = [f"{title}: {to_confirm} item(s) to confirm"]
    if missing:
        parts.append(f"{len(missing)} required answer(s) missing")
    if dropped:
        parts.append(f"{len(dropped)} answer(s) dropped ({', '.join(d.question for d in dropped)})")
    where = f"; written to {output}" if output is not None else ""
    click.echo(", ".join(parts) + where, err=True)
