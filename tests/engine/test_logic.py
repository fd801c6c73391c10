"""Our JSON-Logic wrapper: conformance, the allow-list, caps, and the unanswered convention."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest

from questionnaire.engine.logic import (
    _ENGINE,
    MAX_DATA_DEPTH,
    MAX_RULE_DEPTH,
    check_rule,
    compile_rule,
    is_unanswered,
    logic_data,
    nests_too_deep,
    pointer_path,
    pointer_token,
    variables_read,
)

#: The official JsonLogic conformance suite (https://jsonlogic.com/tests.json), kept in the
#: repository so that every checkout runs it: a missing file fails the tests, it never skips them.
CONFORMANCE = Path(__file__).resolve().parent / "data" / "jsonlogic-tests.json"


def _conformance_cases() -> list[tuple[object, object, object]]:
    return [
        tuple(case) for case in json.loads(CONFORMANCE.read_text()) if not isinstance(case, str)
    ]


def test_official_conformance_suite_passes_through_our_wrapper() -> None:
    cases = _conformance_cases()
    failures = []
    for rule, data, expected in cases:
        got = compile_rule(rule).evaluate(data)
        if got != expected or type(got) is not type(expected):
            failures.append((rule, data, expected, got))
    assert len(cases) == 277
    assert failures == []


def test_official_conformance_suite_truthiness_through_holds() -> None:
    failures = [
        (rule, data, expected)
        for rule, data, expected in _conformance_cases()
        if compile_rule(rule).holds(cast(Any, data)) is not bool(expected)  # some data are lists
    ]
    assert failures == []


@pytest.mark.parametrize("value", [None, "", "   ", []])
def test_unanswered_values_are_absent_for_every_operator(value: object) -> None:
    data = logic_data({"x": value, "y": 1})
    assert is_unanswered(value)
    assert compile_rule({"missing": ["x", "y"]}).evaluate(data) == ["x"]
    assert compile_rule({"var": "x"}).evaluate(data) is None
    assert compile_rule({"!!": {"var": "x"}}).holds(data) is False


@pytest.mark.parametrize("value", [0, False, "0", [0]])
def test_falsy_answers_still_count_as_answered(value: object) -> None:
    assert not is_unanswered(value)
    assert compile_rule({"missing": ["x"]}).evaluate(logic_data({"x": value})) == []


def test_condition_on_unanswered_question_is_defined() -> None:
    # JSON-Logic reads a missing variable as null: `null < 2` is true, so authors must know.
    assert compile_rule({"<": [{"var": "x"}, 2]}).holds({}) is True


@pytest.mark.parametrize(
    ("rule", "holds"),
    [
        ({"var": "x"}, False),
        ({"!": {"var": "x"}}, True),
        ({"missing": ["x"]}, True),
        ({"var": ["x", "a default"]}, True),
        ({"==": [{"var": "x"}, None]}, True),
    ],
)
def test_rule_on_one_unanswered_question_holds_as_the_engine_says(
    rule: object, holds: bool
) -> None:
    # Without its answer such a rule is not handed to the engine: its truth was computed once.
    assert bool(_ENGINE.compile(rule).evaluate({})) is holds
    assert compile_rule(rule).holds({"unrelated": 1}) is holds


@pytest.mark.parametrize(
    "rule",
    [
        {"/": [1, 0]},
        {"%": [1, 0]},
        {"+": ["text", 1]},
        {"*": [{"var": "x"}, "y"]},
        {"substr": [{"var": "x"}, "a"]},
        {"map": [{"var": "big"}, {"*": [{"var": ""}, 2]}]},
    ],
)
def test_evaluation_never_raises(rule: object) -> None:
    result = compile_rule(rule).evaluate({"x": "3", "big": list(range(100_000))})
    assert result is None or isinstance(result, int | float | str | list | bool)
    if isinstance(result, float):
        assert not math.isnan(result)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"vr": "x"}, "operator 'vr' is not allowed (did you mean 'var'?)"),
        ({"log": "x"}, "operator 'log' is not allowed"),
        ({"==": [1]}, "'==' takes at least 2 arguments, not 1"),
        ({"a": 1, "b": 2}, "exactly one operator key"),
    ],
)
def test_bad_rules_are_reported(rule: object, message: str) -> None:
    problems = check_rule(rule)
    assert any(message in p.message for p in problems), problems


def test_deep_rule_is_an_author_error_not_a_crash() -> None:
    rule: object = True
    for _ in range(5000):
        rule = {"!": rule}
    problems = check_rule(rule)
    assert problems and f"deeper than {MAX_RULE_DEPTH}" in problems[0].message


def test_huge_rule_is_refused() -> None:
    assert (
        "more than"
        in check_rule({"or": [{"==": [{"var": "x"}, i]} for i in range(1000)]})[0].message
    )


def test_string_rule_is_a_literal_not_json_text() -> None:
    assert check_rule("[1, 2]") == []
    assert compile_rule("[1, 2]").evaluate({}) == "[1, 2]"


def test_evaluation_hands_over_only_the_answers_a_rule_reads() -> None:
    rule = compile_rule({"and": [{"var": "a"}, {"==": [{"var": "b.c"}, 1]}]})
    assert rule.reads == {"a", "b"}
    assert rule.holds({"a": True, "b": {"c": 1}, "unrelated": object()})


def test_variables_read_skips_iterator_bodies() -> None:
    rule = {
        "and": [
            {"var": "a"},
            {"missing": ["b"]},
            {"some": [{"var": "svcs"}, {"==": [{"var": "port"}, 1]}]},
        ]
    }
    assert [name for name, _ in variables_read(rule)] == ["a", "b", "svcs"]


def test_an_empty_var_path_reads_the_whole_data() -> None:
    data = {"a": 1, "b": 2}
    assert compile_rule({"var": ""}).evaluate(data) == data
    assert compile_rule({"var": []}).evaluate(data) == data


def test_pointer_tokens_round_trip_through_pointer_paths() -> None:
    pointer = "/" + "/".join(pointer_token(token) for token in ["/", "0", "a~b", "²", "١"])
    assert pointer_path(pointer) == ("/", 0, "a~b", "²", "١")  # no int("²"): a ValueError


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        (2**64, "number is out of range"),
        (-(2**63) - 1, "number is out of range"),
        (float("nan"), "JSON has no infinity or NaN"),
        (float("-inf"), "JSON has no infinity or NaN"),
        (b"bytes", "bytes values are not JSON"),
        (date(2026, 1, 1), "date values are not JSON"),
    ],
)
def test_literals_the_engine_cannot_take_are_problems_not_crashes(
    literal: object, message: str
) -> None:
    # datalogic raises ParseError on these; a rule holding one must be a diagnostic instead.
    (problem,) = check_rule({"and": [True, {"==": [{"var": "x"}, literal]}]})
    assert problem.message.startswith(message)
    assert problem.pointer == "/and/1/==/1"


def test_the_largest_integers_are_fine_literals() -> None:
    assert check_rule({"==": [{"var": "x"}, 2**63 - 1]}) == []
    assert compile_rule({"==": [{"var": "x"}, -(2**63)]}).holds({"x": -(2**63)})


def _nested(depth: int, kind: type = list) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {"k": value} if kind is dict else kind([value])
    return value


@pytest.mark.parametrize("kind", [list, tuple, dict, frozenset])
def test_logic_data_leaves_out_data_nested_beyond_the_limit(kind: type) -> None:
    deep, deepest_allowed = _nested(MAX_DATA_DEPTH + 1, kind), _nested(MAX_DATA_DEPTH, kind)
    data = logic_data({"deep": deep, "fine": deepest_allowed, "n": 1})
    assert data == {"fine": deepest_allowed, "n": 1}
    assert compile_rule({"missing": ["deep", "fine"]}).evaluate(data) == ["deep"]


def test_nests_too_deep_counts_levels_of_lists_and_mappings() -> None:
    assert not nests_too_deep(_nested(MAX_DATA_DEPTH))
    assert nests_too_deep(_nested(MAX_DATA_DEPTH + 1))
    assert nests_too_deep([1, {"k": _nested(MAX_DATA_DEPTH)}])
    assert not nests_too_deep([["x"] * 1000] * 1000)  # wide is fine
    assert not nests_too_deep("text") and not nests_too_deep(["a", "b"])


def _in_a_child_process(code: str) -> subprocess.CompletedProcess[str]:
    # Converting data 20,000 levels deep overflows datalogic's native stack: a segmentation
    # fault that no except clause can catch, so such code runs in a process of its own.
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )


def test_deep_answers_cannot_crash_the_process() -> None:
    done = _in_a_child_process(
        """
from questionnaire.engine.logic import compile_rule, logic_data
value = "leaf"
for _ in range(100_000):
    value = [value]
data = logic_data({"a": value, "b": {"c": value}})
assert compile_rule({"var": "a"}).evaluate(data) is None
assert compile_rule({"var": ""}).evaluate(data) == {}
"""
    )
    assert done.returncode == 0, done.stderr
