"""Flask-WTF forms built from the engine's pages.

The engine validates answers (one implementation, shared with the CLI); the forms give every
POST its CSRF token, and :func:`raw_values` collects the raw values the engine parses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import HiddenField

from questionnaire.engine.model import Question


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A form with only its CSRF token and the version of the answers it was built from."""

    version = HiddenField()


def _posted() -> Any:
    """The data of the request as a FlaskForm reads it (its ``wrap_formdata``); bodies that are
    not forms never get this far (``web/edge.py`` answers them 415)."""
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    if request.form:
        return request.form
    return MultiDict()


def raw_values(questions: Iterable[Question], formdata: Any = None) -> dict[str, Any]:
    """What the respondent typed, by question id, as the engine's parser expects it.

    The engine parses and validates the values, so no per-question form field is needed: the
    page's :class:`ActionForm` checks the CSRF token, and the values are read as posted (every
    value, for checkboxes).
    """
    data = _posted() if formdata is None else formdata
    values: dict[str, Any] = {}
    for question in questions:
        if question.type in ("repeat", "file"):
            continue
        raw = data.getlist(question.id)
        values[question.id] = (
            list(raw) if question.type == "multi_choice" else (raw[0] if raw else "")
        )
    return values
