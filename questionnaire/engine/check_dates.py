"""Lint of the definition's ``time_zone``: it must name a ``timezone`` question, or a choice of
the built-in ``time_zones``."""

from __future__ import annotations

from collections.abc import Iterator

from .builtin_lists import is_time_zone_question
from .diagnostics import Diagnostic, did_you_mean
from .model import Definition
from .source import Source


def check_time_zone(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    name = definition.time_zone
    if name is None:
        return
    questions = {q.id: q for page in definition.pages for q in page.questions}
    zones = [q.id for q in questions.values() if is_time_zone_question(q)]
    if name not in questions:
        message = f"'time_zone' names unknown question '{name}'{did_you_mean(name, zones)}"
        yield source.diagnostic(("time_zone",), message)
    elif not is_time_zone_question(questions[name]):
        message = (
            f"'time_zone' must name a timezone question or a choice of time_zones; "
            f"'{name}' is a {questions[name].type} question"
        )
        yield source.diagnostic(("time_zone",), message)
