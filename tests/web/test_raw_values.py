"""The values a page's POST collects are what one WTForms field per question collected."""

from __future__ import annotations

from flask import Flask
from flask_wtf import FlaskForm
from pydantic import TypeAdapter
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from questionnaire.engine.model import Question
from questionnaire.web.forms import raw_values


def _question(question_id: str, kind: str) -> Question:
    extra = {"choices": [{"value": "a", "label": "A"}]} if "choice" in kind else {}
    question: Question = TypeAdapter(Question).validate_python(
        {"id": question_id, "label": "L", "type": kind, **extra}
    )
    return question


def test_raw_values_match_wtforms_raw_data() -> None:
    questions = [
        _question("name", "text"),
        _question("notes", "long_text"),
        _question("colour", "choice"),
        _question("services", "multi_choice"),
        _question("missing", "text"),
        _question("pick", "multi_choice"),
    ]
    data = MultiDict(
        [("name", " Ann "), ("name", "second"), ("notes", "x\ny"), ("colour", "a"),
         ("services", "a"), ("services", "b"), ("unknown", "z")]
    )  # fmt: skip
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context("/", method="POST", data=data):

        class Form(FlaskForm):  # type: ignore[misc]
            pass

        for question in questions:
            setattr(Form, question.id, StringField())
        form = Form()
        expected = {}
        for question in questions:
            raw = form[question.id].raw_data or []
            expected[question.id] = (
                list(raw) if question.type == "multi_choice" else (raw[0] if raw else "")
            )
        assert raw_values(questions) == expected
        assert raw_values(questions) == {
            "name": " Ann ", "notes": "x\ny", "colour": "a", "services": ["a", "b"],
            "missing": "", "pick": [],
        }  # fmt: skip
