"""``prefill: <fact>``: the linter checks the fact and its question, and a new response's
starting answers come from the facts as the question's own parser reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from questionnaire.cli import main
from questionnaire.engine import DefinitionError, Severity, load_text
from questionnaire.engine.facts import FACTS
from questionnaire.engine.prefill import starting_answers
from questionnaire.engine.schema import definition_schema

from .builders import as_yaml, choice, definition, load, page, question

DAYS = question("days", "decimal", min=0.5, max=100, required=False, prefill="ps_days_sold")


def problems(doc: dict[str, Any] | str) -> list[str]:
    text = doc if isinstance(doc, str) else as_yaml(doc)
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "defs/demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


UNKNOWN_FACT = """\
id: demo
title: Demo
version: "1.0"
pages:
  - id: purchase
    title: Check the details of your purchase
    questions:
      - id: days
        type: decimal
        label: Days bought
        prefill: ps_day_sold
    next: review
"""


def test_an_unknown_fact_is_an_error_at_its_line_and_column_with_a_suggestion() -> None:
    assert problems(UNKNOWN_FACT) == [
        "defs/demo.yaml:11:9: error: question 'days': unknown fact 'ps_day_sold' "
        "(did you mean 'ps_days_sold'?) (at pages[0].questions[0].prefill)"
    ]


def test_an_unknown_fact_far_from_any_lists_the_facts() -> None:
    (found,) = problems(definition(page("p", question("x", prefill="favourite_colour"))))
    assert "unknown fact 'favourite_colour' (the facts are: contact_email, contact_name," in found


def test_a_fact_on_a_question_of_another_type_is_an_error() -> None:
    doc = definition(page("p", question("when", "integer", prefill="contract_date")))
    (found,) = problems(doc)
    assert (
        "error: question 'when': the fact 'contract_date' cannot pre-fill a question of type "
        "'integer' (it fits type 'date') (at pages[0].questions[0].prefill)"
    ) in found


def test_a_text_fact_fits_text_and_long_text_only() -> None:
    (found,) = problems(definition(page("p", question("po", "email", prefill="purchase_order"))))
    assert (
        "cannot pre-fill a question of type 'email' (it fits type 'text' or 'long_text')" in found
    )
    load(definition(page("p", question("po", "long_text", prefill="purchase_order"))))


def test_a_field_of_a_repeating_group_cannot_be_prefilled() -> None:
    group = question(
        "services", "repeat", questions=[question("name", prefill="project")], min_items=0
    )
    (found,) = problems(definition(page("p", group)))
    assert (
        "error: question 'services.name': a field of a repeating group cannot be pre-filled: "
        "a fact is one value for the whole engagement, while each record of the group is one "
        "the customer adds (at pages[0].questions[0].questions[0].prefill)"
    ) in found


def test_a_matching_fact_loads_and_a_conditional_one_warns() -> None:
    questionnaire = load(definition(page("p", DAYS, question("po", prefill="purchase_order"))))
    assert questionnaire.models["days"].prefill == "ps_days_sold"
    assert not questionnaire.warnings
    conditional = question("po", prefill="purchase_order", show_if={"var": "days"})
    (warning,) = load(definition(page("p", DAYS, conditional))).warnings
    assert warning.severity is Severity.WARNING
    assert "starts from 'purchase_order' only if it is shown when the questionnaire starts" in (
        warning.message
    )


def test_the_schema_offers_the_facts_to_editors() -> None:
    prefill = definition_schema()["$defs"]["TextQuestion"]["properties"]["prefill"]
    assert prefill["examples"] == sorted(FACTS)


# -- starting answers ----------------------------------------------------------------------------

HALF_DAYS = {"rule": {"==": [{"%": [{"var": "value"}, 0.5]}, 0]}, "message": "Enter half days"}
PURCHASE = definition(
    page(
        "purchase",
        question("project", required=False, max_length=20, prefill="project"),
        {**DAYS, "constraints": [HALF_DAYS]},
        question("ordered", "date", required=False, prefill="contract_date"),
        question("email", "email", required=False, prefill="contact_email"),
        choice("confirmed", "yes", "no"),
        question("po", required=False, prefill="purchase_order", show_if={"var": "confirmed"}),
    )
)


def test_facts_become_answers_in_their_stored_form() -> None:
    facts = {"project": " PACS ", "ps_days_sold": "12", "contract_date": "2026-03-02",
             "contact_email": "Alex@Example.COM", "customer": "Acme"}  # fmt: skip
    assert starting_answers(load(PURCHASE), facts) == {
        "project": "PACS",
        "days": 12.0,
        "ordered": "2026-03-02",
        "email": "Alex@example.com",
    }


def test_a_fact_that_does_not_fit_its_question_leaves_it_blank() -> None:
    facts = {
        "project": "x" * 21,  # longer than the question allows
        "ps_days_sold": 2.3,  # breaks the question's constraint
        "contract_date": "02/03/2026",
        "contact_email": {"not": "text"},
    }
    assert starting_answers(load(PURCHASE), facts) == {}


def test_blank_and_missing_facts_leave_questions_blank() -> None:
    assert starting_answers(load(PURCHASE), {"project": "", "ps_days_sold": None}) == {}


def test_a_question_hidden_when_the_questionnaire_starts_is_not_prefilled() -> None:
    assert starting_answers(load(PURCHASE), {"purchase_order": "PO-1"}) == {}


# -- the authors' tools ----------------------------------------------------------------------------


@pytest.fixture
def purchase_file(tmp_path: Path) -> Path:
    path = tmp_path / "purchase.yaml"
    path.write_text(as_yaml(PURCHASE))
    return path


def test_simulate_starts_from_the_facts_given(purchase_file: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("ps_days_sold: 3\nproject: PACS\n")
    runner = CliRunner()
    result = runner.invoke(
        main, ["simulate", str(purchase_file), "-", "--facts", str(facts)], input='{"days": 4}'
    )
    assert result.exit_code == 0, result.output
    assert '"project": "PACS"' in result.output and '"days": 4.0' in result.output
    facts.write_text("ps_day_sold: 3\n")
    result = runner.invoke(
        main, ["simulate", str(purchase_file), "-", "--facts", str(facts)], input="{}"
    )
    assert result.exit_code == 2 and "unknown fact(s) ps_day_sold" in result.output


def test_path_tests_give_facts_and_check_the_answers(purchase_file: Path) -> None:
    tests = purchase_file.parent / "tests"
    tests.mkdir()
    (tests / "purchase.yaml").write_text(
        "definition: ../purchase.yaml\n"
        "cases:\n"
        "  - name: pre-filled\n"
        "    facts: {project: PACS, ps_days_sold: 3}\n"
        "    answers: {days: 4}\n"
        "    expect: {answers: {project: PACS, days: 4, ordered: null}}\n"
        "  - name: wrong\n"
        "    facts: {project: PACS, ps_days: 3}\n"
        "    expect: {answers: {project: Other}}\n"
    )
    result = CliRunner().invoke(main, ["test", str(tests)])
    assert "FAIL wrong" in result.output
    assert "facts: unknown fact 'ps_days' (did you mean 'ps_days_sold'?)" in result.output
    assert "answers: 'project' expected 'Other', got 'PACS'" in result.output
    assert result.output.rstrip().endswith("1 passed, 1 failed")
