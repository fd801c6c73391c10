"""Starting values (``default``) and hidden questions (issue 12)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from questionnaire.engine import DefinitionError, evaluate
from questionnaire.engine.loader import load_text
from questionnaire.engine.pathtests import run_file
from questionnaire.engine.submit import submit_page

from .builders import as_yaml, choice, definition, load, page, question


def contact_pages(**contact: Any) -> dict[str, Any]:
    return definition(
        page("about", question("organisation"), question("users", "integer"), next="contact"),
        page(
            "contact",
            question("billing_name", default={"var": "organisation"}),
            question("region", "choice", choices=[{"value": "uk", "label": "UK"}], default="uk"),
            question("starts", "date", default={"var": "today"}),
            question("seats", "integer", hidden=True, default={"*": [{"var": "users"}, 2]}),
            **contact,
        ),
    )


def shown(flow: Any, page_id: str) -> dict[str, Any]:
    return {q.id: (q.value, q.default) for q in flow.pages[page_id].questions}


def test_defaults_are_shown_while_unanswered_and_never_stored_unseen() -> None:
    questionnaire = load(contact_pages())
    flow = evaluate(questionnaire, {"organisation": "Acme", "users": 40}, today=date(2027, 3, 3))
    assert shown(flow, "contact") == {
        "billing_name": (None, "Acme"),
        "region": (None, "uk"),
        "starts": (None, "2027-03-03"),
    }
    assert "billing_name" not in flow.answers and flow.missing == (
        "billing_name",
        "region",
        "starts",
    )
    answered = evaluate(questionnaire, {"organisation": "Acme", "billing_name": "Acme Finance"})
    assert shown(answered, "contact")["billing_name"] == ("Acme Finance", None)


def test_a_hidden_question_carries_its_value_into_the_answers_without_asking() -> None:
    questionnaire = load(contact_pages())
    flow = evaluate(questionnaire, {"organisation": "Acme", "users": 40, "seats": 5})
    assert "seats" not in shown(flow, "contact")
    assert flow.answers["seats"] == 80  # computed, not the forged 5
    assert "seats" not in flow.missing
    posted = submit_page(
        questionnaire, {"organisation": "Acme", "users": 40}, "contact", {"seats": "7"}
    )
    assert "seats" not in posted.answers  # a posted value for a hidden question is ignored


def test_the_form_shows_the_default_filled_in() -> None:
    from questionnaire.web.pages import shown_values

    flow = evaluate(load(contact_pages()), {"organisation": "Acme"}, today=date(2027, 3, 3))
    values = shown_values(flow.pages["contact"])
    assert values["billing_name"] == "Acme" and values["region"] == "uk"


def lint(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_lint_of_defaults() -> None:
    doc = definition(
        page(
            "p",
            question("a", hidden=True),
            choice("b", "x", "y", default="z"),
            question("c", default={"var": "later"}),
            question("later"),
            question("g", "repeat", questions=[question("f")], default=[]),
        )
    )
    found = lint(doc)
    assert any(
        "a hidden question needs a 'default'" in f and "questions[0].hidden" in f for f in found
    )
    assert any("'default' 'z' is not a valid answer" in f for f in found)
    assert any("condition refers to 'later', which is asked after this point" in f for f in found)
    assert any("'default' does not apply to a repeat question" in f for f in found)


def test_path_tests_check_defaults(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(contact_pages()))
    cases = [
        {
            "name": "right",
            "answers": {"organisation": "Acme"},
            "expect": {"defaults": {"billing_name": "Acme"}},
        },
        {
            "name": "wrong",
            "answers": {"organisation": "Acme"},
            "expect": {"defaults": {"region": "fr"}},
        },
    ]
    (tmp_path / "t.yaml").write_text(as_yaml({"definition": "demo.yaml", "cases": cases}))
    (right, wrong), _ = run_file(tmp_path / "t.yaml")
    assert right.failures == []
    assert wrong.failures == ["defaults: 'region' expected 'fr', got 'uk'"]
