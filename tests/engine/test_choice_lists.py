"""Named choice lists, defined once and reused by several questions (issue 12)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from questionnaire.engine import DefinitionError, Severity, evaluate
from questionnaire.engine.loader import load_text

from .builders import as_yaml, definition, load, page, question

SITES = [{"value": "leeds", "label": "Leeds"}, {"value": "york", "label": "York"}]


def two_questions(**lists: Any) -> dict[str, Any]:
    return definition(
        page(
            "p",
            question("primary", "choice", choices="sites"),
            question(
                "services", "repeat", questions=[question("site", "multi_choice", choices="sites")]
            ),
        ),
        choice_lists=lists or {"sites": SITES},
    )


def lint(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_questions_naming_a_list_offer_its_options() -> None:
    questionnaire = load(two_questions())
    answers = {"primary": "york", "services": [{"site": ["leeds", "york"]}]}
    flow = evaluate(questionnaire, answers)
    assert flow.answers == answers
    (primary, group) = flow.pages["p"].questions
    assert [c.label for c in primary.choices] == ["Leeds", "York"]
    assert [c.value for c in group.records[0][0].choices] == ["leeds", "york"]


def test_conditions_are_checked_against_the_list_options() -> None:
    doc = two_questions()
    doc["pages"][0]["questions"].append(question("x", show_if={"==": [{"var": "primary"}, "yrok"]}))
    (found,) = lint(doc)
    assert "'yrok' is not an option of 'primary' (did you mean 'york'?)" in found


def test_an_unknown_list_is_named_with_a_suggestion() -> None:
    doc = two_questions()
    doc["pages"][0]["questions"][0]["choices"] = "site"
    (found,) = lint(doc)
    assert found.endswith("(at pages[0].questions[0].choices)")
    assert "unknown choice list 'site' (did you mean 'sites'?) (lists: sites)" in found


def test_a_mistake_in_a_list_is_reported_once_at_the_list() -> None:
    doc = two_questions(
        sites=[{"value": "leeds", "label": "Leeds"}, {"value": "bad value", "label": "Bad"}]
    )
    (found,) = lint(doc)
    assert "(at choice_lists.sites[1].value)" in found


def test_duplicate_options_point_at_the_list() -> None:
    doc = two_questions(
        sites=[{"value": "leeds", "label": "Leeds"}, {"value": "leeds", "label": "Again"}]
    )
    found = lint(doc)
    lines = {f.split(":")[1] for f in found}
    list_line = as_yaml(doc).splitlines().index("  - value: leeds") + 1
    assert any("duplicate option 'leeds'" in f for f in found)
    assert lines <= {str(list_line), str(list_line + 2)}, found


def test_an_unused_list_warns() -> None:
    doc = two_questions(sites=SITES, regions=SITES)
    (found,) = [d.format() for d in load(doc).warnings if d.severity is Severity.WARNING]
    assert "choice list 'regions' is not used by any question (at choice_lists.regions)" in found


def test_the_json_schema_accepts_a_list_name() -> None:
    with open("docs/definition.schema.json", encoding="utf-8") as file:
        schema = json.load(file)
    jsonschema.validate(json.loads(json.dumps(two_questions())), schema)
