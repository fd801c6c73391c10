"""Loading definitions: YAML text in, a compiled :class:`Questionnaire` or every problem out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import choice_csv, choice_lists, record_computed
from .check_choice_filter import check_choice_filters
from .check_dates import check_time_zone
from .check_prefill import check_prefill
from .check_records import check_records
from .check_rules import RuleChecker, computed_dependencies
from .check_structure import build_graph, check_structure
from .check_widgets import check_widgets
from .compiled import (
    CompiledChoice,
    CompiledComputed,
    CompiledConstraint,
    CompiledEdge,
    CompiledNote,
    CompiledPage,
    CompiledQuestion,
    Questionnaire,
)
from .counted import check_counts
from .defaults import check_defaults
from .diagnostics import DefinitionError, Diagnostic, Severity, did_you_mean
from .logic import CompiledRule, compile_rule
from .model import QUESTION_TYPES, Definition, Note, Page, Question, RepeatQuestion
from .nesting import check_nesting
from .schema_errors import clean_loc, translate_validation_error
from .schema_repair import stand_in
from .source import Source, format_path, parse_yaml, read_source
from .text_rules import check_text_rules


def load_text(text: str, name: str) -> Questionnaire:
    """Load one definition from YAML ``text``; ``name`` is the file name used in diagnostics."""
    source = parse_yaml(text, name)
    definition, diagnostics = validate(source)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if definition is None or errors:
        raise DefinitionError(diagnostics)
    return compile_definition(definition, source, text, tuple(diagnostics))


def load_file(path: Path | str) -> Questionnaire:
    """Load the definition in the file at ``path`` (UTF-8 YAML)."""
    path = Path(path)
    return load_text(read_source(path), str(path))


def validate(source: Source) -> tuple[Definition | None, list[Diagnostic]]:
    """Schema validation, then (if the schema holds) every structural and rule check."""
    if not isinstance(source.value, dict):
        return None, [
            source.diagnostic(
                (), "a definition must be a mapping with id, title, version and pages"
            )
        ]
    csv_problems = choice_csv.expand(source)
    if csv_problems:  # the lists it names are unknown: their uses would only repeat this
        return None, sorted(csv_problems)
    choice_lists.locate_at_lists(source)
    try:
        definition = Definition.model_validate(source.value)
    except ValidationError as exc:
        schema_errors = [
            d for d in translate_validation_error(exc, source) if not _in_use(d, source)
        ]
        return None, sorted({*schema_errors, *_checks_despite(exc, source)})
    return definition, sorted(set(_checks(definition, source)))


def _in_use(diagnostic: Diagnostic, source: Source) -> bool:
    """Whether the diagnostic is about an option of a named list where a question uses it:
    the list itself gets the same diagnostic, once."""
    lists = source.value.get(choice_lists.KEY) or {}
    return any(
        diagnostic.where.startswith(format_path(use) + "[") and name in lists
        for use, name in choice_lists.uses(source.value)
    )


def _checks(definition: Definition, source: Source) -> list[Diagnostic]:
    graph = build_graph(definition)
    return [
        *choice_lists.check_unused(source),
        *check_structure(definition, source, graph),
        *RuleChecker(definition, source, graph).run(),
        *check_prefill(definition, source),
        *check_records(definition, source),
        *check_counts(definition, source),
        *record_computed.check_record_computed(definition, source),
        *check_nesting(definition, source),
        *check_text_rules(definition, source),
        *check_time_zone(definition, source),
        *check_defaults(definition, source),
        *check_choice_filters(definition, source),
        *check_widgets(definition, source),
    ]


def _checks_despite(exc: ValidationError, source: Source) -> list[Diagnostic]:
    """The other checks, run over stand-ins for what the schema refused (all problems at once)."""
    patched = stand_in(source.value, ((clean_loc(e["loc"]), e["type"]) for e in exc.errors()))
    if patched is None:
        return []
    try:
        definition = Definition.model_validate(patched)
    except ValidationError:
        return []  # what is left cannot be stood in for: the schema's errors come alone
    return _checks(definition, source)


@dataclass
class LoadReport:
    """The outcome of loading a folder: what loaded, and every problem in what did not."""

    loaded: dict[str, Questionnaire]
    diagnostics: list[Diagnostic]


def definition_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """YAML definition files named by ``paths`` (files, or folders searched one level deep)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
            )
        else:
            yield path


def load_all(paths: Iterable[Path | str]) -> LoadReport:
    """Load every definition; a broken one is reported and never stops the others."""
    report = LoadReport({}, [])
    for path in definition_files(paths):
        try:
            questionnaire = load_file(path)
        except DefinitionError as exc:
            report.diagnostics.extend(exc.diagnostics)
            continue
        report.diagnostics.extend(questionnaire.warnings)
        if questionnaire.id in report.loaded:
            other = report.loaded[questionnaire.id].source_name
            report.diagnostics.append(
                Diagnostic(
                    str(path),
                    1,
                    1,
                    f"definition id '{questionnaire.id}' is already used by {other}",
                )
            )
            continue
        report.loaded[questionnaire.id] = questionnaire
    return report


def compile_definition(
    definition: Definition, source: Source, text: str, warnings: tuple[Diagnostic, ...]
) -> Questionnaire:
    deps = computed_dependencies(definition)
    return Questionnaire(
        definition=definition,
        pages={page.id: _page(page) for page in definition.pages},
        computed=tuple(
            CompiledComputed(c.id, compile_rule(c.logic), deps[c.id]) for c in definition.computed
        ),
        source_name=source.name,
        source_text=text,
        sha256=_identity(text, source),
        warnings=warnings,
    )


def _identity(text: str, source: Source) -> str:
    """The hash of the text and of the files it reads (a changed CSV list is a new version)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    for name, data in sorted(source.files.items()):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _rule(rule: Any) -> CompiledRule | None:
    return None if rule is None else compile_rule(rule)


def _notes(notes: Iterable[Note]) -> tuple[CompiledNote, ...]:
    return tuple(CompiledNote(note, _rule(note.show_if)) for note in notes)


def _question(question: Question) -> CompiledQuestion:
    return CompiledQuestion(
        question=question,
        show_if=_rule(question.show_if),
        required_if=_rule(question.required_if),
        constraints=tuple(
            CompiledConstraint(compile_rule(c.rule), c.message) for c in question.constraints
        ),
        notes=_notes(question.notes),
        choices=tuple(
            CompiledChoice(c, _rule(c.show_if)) for c in getattr(question, "choices", ())
        ),
        items=tuple(_question(q) for q in question.questions)
        if isinstance(question, RepeatQuestion)
        else (),
        default=_rule(question.default),
        count=_rule(getattr(question, "count", None)),
        record_computed=record_computed.compiled(question),
        choice_filter=_rule(getattr(question, "choice_filter", None)),
    )


def _page(page: Page) -> CompiledPage:
    return CompiledPage(
        page=page,
        questions=tuple(_question(q) for q in page.questions),
        notes=_notes(page.notes),
        edges=tuple(CompiledEdge(edge.to, _rule(edge.if_)) for edge in page.next),
        show_if=_rule(page.show_if),
    )


__all__ = ["QUESTION_TYPES", "did_you_mean", "load_all", "load_file", "load_text", "validate"]
