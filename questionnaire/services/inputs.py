"""Stored answers as a form's inputs show them: the inverse of the engine's parsing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from questionnaire.engine.model import Question


def input_value(question: Question, value: Any) -> Any:
    if value is None:
        return [] if question.type == "multi_choice" else ""
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type == "multi_choice":
        return list(value) if isinstance(value, list) else []
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return value
    return str(value)


def input_values(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    return {q.id: input_value(q, answers.get(q.id)) for q in questions}
