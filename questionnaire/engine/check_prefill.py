"""Checks of ``prefill``: each names a known handover fact that its question's type can hold."""

from __future__ import annotations

from collections.abc import Iterator

from .diagnostics import Diagnostic, Severity, did_you_mean
from .facts import FACTS
from .model import Definition, Question, RepeatQuestion
from .source import Path, Source

IN_A_GROUP = (
    "a field of a repeating group cannot be pre-filled: a fact is one value for the whole "
    "engagement, while each record of the group is one the customer adds"
)


def check_prefill(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            path: Path = ("pages", p, "questions", q)
            yield from _fact_fits(question, path, source)
            if isinstance(question, RepeatQuestion):
                for i, item in enumerate(question.questions):
                    if item.prefill is not None:
                        at = (*path, "questions", i, "prefill")
                        yield source.diagnostic(
                            at, f"question '{question.id}.{item.id}': {IN_A_GROUP}"
                        )


def _fact_fits(question: Question, path: Path, source: Source) -> Iterator[Diagnostic]:
    name = question.prefill
    if name is None:
        return
    at = (*path, "prefill")
    fact = FACTS.get(name)
    if fact is None:
        hint = did_you_mean(name, FACTS) or f" (the facts are: {', '.join(sorted(FACTS))})"
        yield source.diagnostic(at, f"question '{question.id}': unknown fact '{name}'{hint}")
    elif question.type not in fact.types:
        fits = " or ".join(f"'{kind}'" for kind in fact.types)
        yield source.diagnostic(
            at,
            f"question '{question.id}': the fact '{name}' cannot pre-fill a question of type "
            f"'{question.type}' (it fits type {fits})",
        )
    elif question.show_if is not None:
        yield source.diagnostic(
            at,
            f"question '{question.id}' is asked only while its show_if holds: it starts from "
            f"'{name}' only if it is shown when the questionnaire starts, else it starts blank",
            severity=Severity.WARNING,
        )
