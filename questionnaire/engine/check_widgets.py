"""Lint of how a choice is asked (``widget``): long lists want a searchable select.

A page of 30 radios or more is hard to scan and to move through with a keyboard; a searchable
select (a plain select without JavaScript) lets people type to find their option. A
searchable select takes one answer, so a multi_choice question cannot use it.
"""

from __future__ import annotations

from collections.abc import Iterator

from .diagnostics import Diagnostic, Severity
from .model import Definition, Question
from .source import Path, Source

#: More options than this as radios earn a suggestion to make the list searchable.
LONG_LIST = 30


def check_widgets(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    for p, page in enumerate(definition.pages):
        for n, question in enumerate(page.questions):
            yield from _question(question, ("pages", p, "questions", n), source)


def _question(question: Question, path: Path, source: Source) -> Iterator[Diagnostic]:
    for i, field in enumerate(getattr(question, "questions", ())):
        yield from _question(field, (*path, "questions", i), source)
    widget = getattr(question, "widget", None)
    count = len(getattr(question, "choices", ()))
    if question.type == "multi_choice" and widget == "searchable":
        message = (
            f"'{question.id}' allows several answers, and a searchable select takes one: "
            "use checkboxes (leave out 'widget') or make it a choice question"
        )
        yield source.diagnostic((*path, "widget"), message)
    elif question.type == "choice" and widget == "radios" and count > LONG_LIST:
        message = (
            f"'{question.id}' offers {count} options as radios: add `widget: searchable` "
            "so that people can type to find theirs"
        )
        yield source.diagnostic((*path, "choices"), message, severity=Severity.WARNING)
