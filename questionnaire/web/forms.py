"""Flask-WTF forms built from the engine's pages.

The engine validates answers (one implementation, shared with the CLI); the forms give every
POST its CSRF token and collect the raw values the engine parses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, HiddenField, StringField, TextAreaField

from questionnaire.engine.model import Question


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A form with only its CSRF token and the version of the answers it was built from."""

    version = HiddenField()


# Rendering follows the GOV.UK patterns in our templates, and the engine parses the values,
# so a field only has to collect what was posted: every value, for checkboxes.
_FIELDS: dict[str, type[Field]] = {"file": FileField, "long_text": TextAreaField}


@lru_cache(maxsize=512)
def _form_class(fields: tuple[tuple[str, str], ...]) -> type[ActionForm]:
    """One form class per page shape (question ids and types), built once per worker."""

    class PageForm(ActionForm):
        pass

    for question_id, kind in fields:
        setattr(PageForm, question_id, _FIELDS.get(kind, StringField)())
    return PageForm


def page_form(questions: Iterable[Question], formdata: Any = None) -> ActionForm:
    """A form with one field per question, instantiated on ``formdata`` (or the request)."""
    shape = tuple((q.id, q.type) for q in questions if q.type != "repeat")
    form_class = _form_class(shape)
    return form_class(formdata=formdata) if formdata is not None else form_class()


def raw_values(form: ActionForm, questions: Iterable[Question]) -> dict[str, Any]:
    """What the respondent typed, by question id, as the engine's parser expects it."""
    values: dict[str, Any] = {}
    for question in questions:
        if question.type in ("repeat", "file"):
            continue
        raw = form[question.id].raw_data or []
        values[question.id] = (
            list(raw) if question.type == "multi_choice" else (raw[0] if raw else "")
        )
    return values


def input_value(question: Question, value: Any) -> Any:
    """A stored answer as an input shows it (the inverse of the engine's parsing)."""
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
