"""Starting values (``default``) and hidden questions (``hidden: true``).

A question's ``default`` is a constant or a rule over earlier answers, computed values and
``today`` (``{"var": "organisation"}``). While the question is unanswered, its form shows the
default filled in: it becomes an answer only when the respondent saves the page, so nothing is
stored that they did not see. (A starting value from the sales handover is ``prefill``.)

A ``hidden`` question is never asked: while its ``show_if`` holds, its default is its answer,
carried into the answers (and the SoW) and seen by later rules like any other.
"""

from __future__ import annotations

from collections.abc import Iterator

from .answers import Invalid, parse_answer
from .compiled import CompiledQuestion
from .diagnostics import Diagnostic
from .logic import is_unanswered
from .model import Definition, FileQuestion, RepeatQuestion
from .source import Source
from .text_rules import questions_with_paths
from .types import JSON


def starting_value(cq: CompiledQuestion, context: dict[str, JSON]) -> JSON:
    """The default's value as an answer of the question, or None (no default, or not a valid one)."""
    if cq.default is None:
        return None
    value = cq.default.evaluate(context)
    if is_unanswered(value):
        return None
    parsed = parse_answer(cq.question, value)
    return None if isinstance(parsed, Invalid) else parsed


def check_defaults(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """Hidden questions without a default, defaults where no form shows one, invalid constants."""
    for path, question in questions_with_paths(definition):
        default = question.default
        if isinstance(question, RepeatQuestion | FileQuestion):
            for key, given in (("default", default is not None), ("hidden", question.hidden)):
                if given:
                    message = f"'{key}' does not apply to a {question.type} question"
                    yield source.diagnostic((*path, key), message)
            continue
        if question.hidden and default is None:
            message = "a hidden question needs a 'default': the value it carries into the answers"
            yield source.diagnostic((*path, "hidden"), message)
        if default is not None and not isinstance(default, dict):
            parsed = parse_answer(question, default)
            if isinstance(parsed, Invalid):
                message = f"'default' {default!r} is not a valid answer: {parsed.message}"
                yield source.diagnostic((*path, "default"), message)
