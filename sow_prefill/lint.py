"""Linting SoW templates against a questionnaire: every mistake as ``file:line:col``, all at once.

Checks, per template file:

* YAML and schema errors (as :func:`~sow_prefill.templates.load_template` reports them), exactly
  one base template, template ids unique;
* Jinja syntax errors (unknown filters and tests included) and names a template uses that it
  never sees (a misspelt function: ``anwser("x")``);
* ``answer/value/records/fact("x")`` naming an id that is neither a question nor a computed value
  (nor, for ``fact`` and ``value``, an engagement fact: :data:`~sow_prefill.prefill.FACTS`);
  ``records("x")`` on a question that is not a repeating group; ``item(record, "field")`` and
  ``record.data.get("field")`` naming a field the group does not have; ``proposal("topic")`` naming
  a topic :mod:`~sow_prefill.recommend` never proposes;
* deployment templates: ids read (in ``applies_if`` or the Markdown) but not declared in ``reads``;
  ``reads`` entries that are unknown (errors) or unused (warnings); sections the base does not have;
  a missing ``applies_if`` (warning);
* unknown ids in ``applies_if``;
* warnings for output that bypasses the record (``{{ value("x") }}``) or is escaped twice
  (``answer("x") ~ "..."``, ``answer("x") | upper``);
* a trial render of every section with no answers, which catches the rest (``StrictUndefined``,
  limits, a function called with the wrong arguments), then one with the answers of each of the
  questionnaire's path tests (see :mod:`.lint_trials`), which catches limits that only real
  answers reach (a loop per service).

This module reads the folder and runs the checks of each template; they live beside it: the
YAML around the Markdown in :mod:`.lint_spec`, the Markdown in :mod:`.lint_markdown`, and the ids
a template may name in :mod:`.lint_ids`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from questionnaire.engine import DefinitionError, Diagnostic, Questionnaire
from questionnaire.engine.diagnostics import did_you_mean

from .lint_ids import TemplateIds
from .lint_markdown import MarkdownLint, Section
from .lint_spec import applies_if_problems, reads_problems, section_problems
from .lint_trials import AnswerSet, Trial, trials
from .sandbox import BoundedEnvironment, make_environment
from .templates import SectionSpec, Template, TemplateSpec, load_template


def lint_templates(
    folder: Path | str,
    questionnaire: Questionnaire,
    answer_sets: Sequence[AnswerSet] | None = None,
) -> list[Diagnostic]:
    """Every problem in the templates of ``folder``, read against ``questionnaire``.

    Sections are trial-rendered with no answers, then with each of ``answer_sets`` (name,
    answers); by default those are the questionnaire's path tests.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return [Diagnostic(str(folder), 1, 1, "templates folder not found")]
    templates, problems = _load(folder)
    bases = [t for t in templates if t.spec.kind == "base"]
    if not bases and not problems:
        problems.append(
            Diagnostic(str(folder), 1, 1, "no base template ('kind: base') in this folder")
        )
    for extra in bases[1:]:
        message = f"a second base template (the first is {bases[0].source.name})"
        problems.append(extra.source.diagnostic(("kind",), message))
    problems.extend(_duplicate_ids(templates))
    ids = TemplateIds.of(questionnaire)
    base_sections = [s.id for s in bases[0].spec.sections] if bases else None
    env = make_environment()
    runs = trials(questionnaire, answer_sets)
    for template in templates:
        problems.extend(_lint_template(template, ids, env, runs, base_sections))
    return sorted(set(problems))


def _load(folder: Path) -> tuple[list[Template], list[Diagnostic]]:
    templates: list[Template] = []
    problems: list[Diagnostic] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            templates.append(load_template(path))
        except DefinitionError as exc:
            problems.extend(_template_keys_hint(d) for d in exc.diagnostics)
        except OSError as exc:
            problems.append(Diagnostic(str(path), 1, 1, f"cannot read file: {exc}"))
    return templates, problems


_UNKNOWN_KEY = re.compile(r"unknown key '([^']*)'(?: \(did you mean '[^']*'\?\))?")
TEMPLATE_KEYS = frozenset(TemplateSpec.model_fields) | frozenset(SectionSpec.model_fields)


def _template_keys_hint(diagnostic: Diagnostic) -> Diagnostic:
    """The loader suggests keys of the definition format; suggest the template format's."""
    found = _UNKNOWN_KEY.search(diagnostic.message)
    if found is None:
        return diagnostic
    key = found.group(1)
    message = _UNKNOWN_KEY.sub(
        f"unknown key '{key}'{did_you_mean(key, TEMPLATE_KEYS)}", diagnostic.message
    )
    return dataclasses.replace(diagnostic, message=message)


def _duplicate_ids(templates: list[Template]) -> Iterator[Diagnostic]:
    seen: dict[str, Template] = {}
    for template in templates:
        first = seen.setdefault(template.id, template)
        if first is not template:
            yield template.source.diagnostic(
                ("id",), f"template id '{template.id}' is already used by {first.source.name}"
            )


def _lint_template(
    template: Template,
    ids: TemplateIds,
    env: BoundedEnvironment,
    runs: Sequence[Trial],
    base_sections: list[str] | None,
) -> list[Diagnostic]:
    """Every problem in one template: its YAML, then each section's Markdown, then ``reads``."""
    problems: list[Diagnostic] = []
    problems.extend(applies_if_problems(template, ids))
    problems.extend(section_problems(template, base_sections))
    markdown = MarkdownLint(template, ids, env, runs, problems, used={})
    unparsed = False
    file_lines = _file_lines(template.source.name)
    for index, spec in enumerate(template.spec.sections):
        first = template.markdown_line(index)
        lines = spec.markdown.splitlines() or [""]
        if file_lines and first - 1 < len(file_lines):
            lines = file_lines[first - 1 : first - 1 + len(lines)]
        section = Section(index, spec.id, spec.markdown, first, lines)
        if not markdown.check(section):
            unparsed = True  # what it reads is unknown: no "never read" warnings
    problems.extend(reads_problems(template, ids, markdown.used, unparsed))
    return problems


def _file_lines(name: str) -> list[str]:
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
