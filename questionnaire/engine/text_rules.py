"""Text answers' ``pattern`` and ``min_length``: checked in the flow, linted when loaded.

Patterns run on RE2 (``google-re2``), not Python's ``re``: RE2 matches in time linear in the
answer's length whatever the pattern, so ``(a+)+b`` cannot hang a request on a long answer
(catastrophic backtracking), and answers are capped by ``max_length`` anyway. The price is
RE2's syntax: no backreferences and no lookarounds; lint says so when a pattern uses them.
The whole answer must match (``fullmatch``), as an author reading ``[A-Z]{2}\\d{6}`` expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

from .diagnostics import Diagnostic
from .model import Definition, Question, RepeatQuestion, TextRules
from .source import Path, Source

#: RE2's memory for one compiled pattern: enough for any sensible one, and a bound for the rest.
_MAX_PATTERN_MEMORY = 1 << 20


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.max_mem = _MAX_PATTERN_MEMORY
    return options


@lru_cache(maxsize=4096)
def _compiled(regex: str) -> Any:
    """The compiled pattern, or the reason RE2 refuses it (a ``str``)."""
    try:
        return re2.compile(regex, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def pattern_problem(regex: str) -> str | None:
    """Why ``regex`` cannot be a pattern, or None when it can."""
    compiled = _compiled(regex)
    if not isinstance(compiled, str):
        return None
    return (
        f"'pattern': RE2 cannot read this regular expression: {compiled} "
        "(RE2 has no backreferences or lookarounds)"
    )


def text_problem(question: Question, value: Any) -> str | None:
    """The author's message (not yet piped) when a text answer breaks its pattern or length."""
    if not isinstance(question, TextRules) or not isinstance(value, str):
        return None
    if question.min_length is not None and len(value) < question.min_length:
        return f"Enter at least {question.min_length} characters"
    pattern = question.pattern
    if pattern is not None:
        compiled = _compiled(pattern.regex)
        # A refused pattern never loads; should one slip through, no answer can match it.
        if isinstance(compiled, str) or compiled.fullmatch(value) is None:
            return pattern.message
    return None


def check_text_rules(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """Patterns RE2 refuses, and a ``min_length`` longer than ``max_length``."""
    for path, question in questions_with_paths(definition):
        if not isinstance(question, TextRules):
            continue
        if question.pattern is not None:
            problem = pattern_problem(question.pattern.regex)
            if problem:
                yield source.diagnostic((*path, "pattern", "regex"), problem)
        maximum = getattr(question, "max_length", None)
        if (
            question.min_length is not None
            and maximum is not None
            and question.min_length > maximum
        ):
            message = f"'min_length' ({question.min_length}) is more than 'max_length' ({maximum})"
            yield source.diagnostic((*path, "min_length"), message)


def questions_with_paths(definition: Definition) -> Iterator[tuple[Path, Question]]:
    """Every question, repeating groups' fields too, with its path in the document."""
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            path: Path = ("pages", p, "questions", q)
            yield path, question
            if isinstance(question, RepeatQuestion):
                for i, item in enumerate(question.questions):
                    yield (*path, "questions", i), item
                    # one level of nesting: a record's own group (a service's real servers)
                    for j, inner in enumerate(getattr(item, "questions", ())):
                        yield (*path, "questions", i, "questions", j), inner
