"""Text answers' ``pattern`` (RE2, linear time) and ``min_length`` (issue 12)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from questionnaire.engine import DefinitionError, evaluate
from questionnaire.engine.loader import load_text
from questionnaire.engine.pathtests import run_file
from questionnaire.engine.submit import submit_page

from .builders import as_yaml, definition, load, page, question

ORDER = {"regex": r"PO-\d{6}", "message": "Enter the order number as PO- and 6 digits, not {value}"}


def order_form(**extra: Any) -> dict[str, Any]:
    return definition(page("p", question("order", pattern=ORDER, **extra)))


def problems_of(doc: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    return dict(evaluate(load(doc), answers).pages["p"].problems)


def test_the_whole_answer_must_match_and_the_message_is_piped() -> None:
    assert problems_of(order_form(), {"order": "PO-123456"}) == {}
    assert problems_of(order_form(), {"order": "PO-1234567"}) == {
        "order": "Enter the order number as PO- and 6 digits, not PO-1234567"
    }


def test_a_posted_answer_that_breaks_the_pattern_is_kept_and_told() -> None:
    submitted = submit_page(load(order_form()), {}, "p", {"order": "order 12"})
    assert submitted.answers == {"order": "order 12"}  # what was typed is not lost
    assert submitted.errors == {"order": "Enter the order number as PO- and 6 digits, not order 12"}


def test_min_length() -> None:
    doc = definition(page("p", question("summary", "long_text", min_length=20)))
    assert problems_of(doc, {"summary": "Too short"}) == {"summary": "Enter at least 20 characters"}
    assert problems_of(doc, {"summary": "Long enough to describe it"}) == {}


def test_patterns_inside_records() -> None:
    group = question("services", "repeat", questions=[question("code", pattern=ORDER)])
    flow = evaluate(load(definition(page("p", group))), {"services": [{"code": "x"}]})
    assert flow.pages["p"].problems == {
        "services[0].code": "Enter the order number as PO- and 6 digits, not x"
    }


def test_a_pattern_that_backtracks_in_python_is_matched_in_linear_time() -> None:
    doc = definition(
        page("p", question("x", "long_text", pattern={"regex": "(a+)+b", "message": "No"}))
    )
    questionnaire = load(doc)
    started = time.perf_counter()
    flow = evaluate(questionnaire, {"x": "a" * 9_000 + "c"})
    assert flow.pages["p"].problems == {"x": "No"}
    assert time.perf_counter() - started < 1  # Python's re would take longer than the universe


def lint(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_lint_refuses_what_re2_cannot_read_with_its_place() -> None:
    doc = definition(page("p", question("x", pattern={"regex": r"(a)\1", "message": "No"})))
    (found,) = lint(doc)
    assert (
        "'pattern': RE2 cannot read this regular expression: invalid escape sequence: \\1" in found
    )
    assert (
        "(RE2 has no backreferences or lookarounds) (at pages[0].questions[0].pattern.regex)"
        in found
    )


def test_lint_checks_lengths_and_quotes_in_the_message() -> None:
    doc = definition(
        page(
            "p",
            question("x", min_length=10, max_length=5),
            question("y", pattern={"regex": "a", "message": "Not {nope}"}),
        )
    )
    found = lint(doc)
    assert any("'min_length' (10) is more than 'max_length' (5)" in f for f in found)
    assert any(
        "quoted answer refers to unknown question 'nope'" in f and "pattern.message" in f
        for f in found
    )


def test_path_tests_check_problems(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(order_form()))
    message = "Enter the order number as PO- and 6 digits, not x"
    cases = [
        {"name": "right", "answers": {"order": "x"}, "expect": {"problems": {"order": message}}},
        {
            "name": "wrong",
            "answers": {"order": "PO-000001"},
            "expect": {"problems": {"order": message}},
        },
    ]
    (tmp_path / "t.yaml").write_text(as_yaml({"definition": "demo.yaml", "cases": cases}))
    (right, wrong), _ = run_file(tmp_path / "t.yaml")
    assert right.failures == []
    assert wrong.failures == [f"problems: expected {{'order': '{message}'}}, got {{}}"]
