"""Lint of a SoW template's YAML around its Markdown: ``applies_if``, the sections, ``reads``.

Split from ``lint`` to keep it short. ``applies_if`` may read only known ids (declared in
``reads``, in a deployment template) and means nothing in the base template; section ids are
unique, the base's sections have titles, and a deployment template's sections are the base's;
``reads`` names known ids, each read somewhere, and (in a deployment template) every id read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from questionnaire.engine import Diagnostic, Severity
from questionnaire.engine.diagnostics import did_you_mean
from questionnaire.engine.logic import pointer_path, variables_read

from .lint_ids import TemplateIds
from .templates import Template


def applies_if_problems(template: Template, ids: TemplateIds) -> Iterator[Diagnostic]:
    rule = template.spec.applies_if
    if rule is None:
        if _deployment(template):
            yield _at_key(
                template,
                ("id",),
                "no 'applies_if': this template is added to every SoW",
                Severity.WARNING,
            )
        return
    if not _deployment(template):
        yield _at_key(
            template,
            ("applies_if",),
            "'applies_if' is ignored in the base template",
            Severity.WARNING,
        )
    for name, pointer in variables_read(rule):
        head = name.partition(".")[0]
        path = ("applies_if", *pointer_path(pointer))
        if head not in ids.data:
            message = f"applies_if reads unknown id '{head}'{did_you_mean(head, ids.data)}"
            yield _at_key(template, path, message)
        elif _deployment(template) and head not in template.spec.reads:
            yield _at_key(
                template, path, f"applies_if reads '{head}', which is not declared in 'reads'"
            )


def section_problems(template: Template, base_sections: list[str] | None) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for index, spec in enumerate(template.spec.sections):
        path: tuple[str | int, ...] = ("sections", index, "id")
        if spec.id in seen:
            yield _at_key(template, path, f"section '{spec.id}' appears twice in this template")
        seen.add(spec.id)
        if not _deployment(template):
            if not spec.title:
                yield _at_key(
                    template,
                    ("sections", index),
                    f"section '{spec.id}' needs a title in the base template",
                )
            continue
        if spec.title:
            message = "a deployment template's section title is not used"
            yield _at_key(template, ("sections", index, "title"), message, Severity.WARNING)
        if base_sections is not None and spec.id not in base_sections:
            hint = did_you_mean(spec.id, base_sections)
            yield _at_key(
                template, path, f"section '{spec.id}' is not a section of the base template{hint}"
            )


def reads_problems(
    template: Template,
    ids: TemplateIds,
    used: Mapping[str, tuple[int, int]],
    unparsed: bool,
) -> Iterator[Diagnostic]:
    """``reads`` against the ids the Markdown reads (``used``: the first place of each), unless
    a section did not parse (``unparsed``: what it reads is unknown)."""
    reads = template.spec.reads
    if not _deployment(template) and not reads:
        return
    for index, name in enumerate(reads):
        if name not in ids.data:
            hint = did_you_mean(name, ids.data)
            yield _at_key(template, ("reads", index), f"'reads' names unknown id '{name}'{hint}")
        elif not (unparsed or name in used or name in _applies_if_ids(template)):
            yield _at_key(
                template,
                ("reads", index),
                f"'{name}' is declared in 'reads' but never read",
                Severity.WARNING,
            )
    if not _deployment(template):
        return
    for name, (line, column) in used.items():
        if name not in reads:
            message = f"'{name}' is read but not declared in 'reads'"
            yield Diagnostic(template.source.name, line, column, message)


def _deployment(template: Template) -> bool:
    return template.spec.kind == "deployment"


def _at_key(
    template: Template,
    path: tuple[str | int, ...],
    message: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return template.source.diagnostic(path, message, severity=severity)


def _applies_if_ids(template: Template) -> set[str]:
    rule = template.spec.applies_if
    return (
        {name.partition(".")[0] for name, _ in variables_read(rule)} if rule is not None else set()
    )
