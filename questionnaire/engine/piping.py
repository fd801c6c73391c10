"""Piping: labels that quote earlier answers, as plain text (no code, no markup)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import conforms, display
from .dates import TODAY, people_date, people_number
from .model import Question, RepeatQuestion
from .record_computed import addressed
from .sites import PIPE

#: What a quote of a question not answered yet reads as.
UNANSWERED = "…"


def pipe(
    text: str,
    data: Mapping[str, Any],
    questions: Mapping[str, Question],
    fields: Mapping[str, Question] | None = None,
) -> str:
    """``text`` with each ``{name}`` replaced by the display text of that answer.

    ``fields`` are the sub-questions of the repeating group being shown (``{item.name}``).
    The result is plain text: escaping is the renderer's job.
    """
    if "{" not in text:
        return text

    def quote(match: Any) -> str:
        name: str = match.group(1)
        head, _, rest = name.partition(".")
        if head == TODAY and TODAY not in questions:
            return people_date(str(data.get(TODAY)))
        if head == "item" and fields is not None:
            record = data.get("item") or {}
            question = fields.get(rest)
            value = record.get(rest) if isinstance(record, dict) else None
        else:
            question = questions.get(head)
            value = data.get(head)
            if rest and isinstance(question, RepeatQuestion):  # {services.0.total}: one record's
                question, value = addressed(question, value, rest)
        if value is None:
            return UNANSWERED
        return for_people(question, value) if question is not None else str(value)

    return PIPE.sub(quote, text).replace("{{", "{").replace("}}", "}")


def for_people(question: Question, value: Any) -> str:
    """An answer as quoted in a text: numbers grouped (1,250), dates written out (3 March 2027)."""
    if question.type in ("integer", "decimal") and conforms(question, value):
        unit = getattr(question, "unit", None)
        return people_number(value) + (f" {unit}" if unit else "")
    if question.type == "date" and conforms(question, value):
        return people_date(value)
    return display(question, value)
