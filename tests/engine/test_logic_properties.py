"""Property tests: our compiled rules give exactly what the engine gives on the whole data.

``CompiledRule`` hands the engine only the answers a rule reads, has a branch of its own for
rules reading one answer, and answers without the engine when that answer is not given. None of
it may change a result: each rule is checked against the engine evaluating the full data.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.engine.logic import _ENGINE, compile_rule, logic_data

from .hostile_values import hostile_values

KEYS = ["a", "b", "c", "item"]

values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", "y", "0", "10.1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner),
    max_leaves=6,
)
variables = st.sampled_from(["a", "b", "c", "item.a", "item.b"]).map(lambda name: {"var": name})
literals = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x", "10."])
operands = variables | literals


def _binary(op: str, left: Any, right: Any) -> Any:
    return {op: [left, right]}


def _rules() -> st.SearchStrategy[Any]:
    atoms = (
        variables
        | st.builds(_binary, st.sampled_from(["==", "!=", "<", ">=", "in"]), operands, operands)
        | st.builds(lambda names: {"missing": names}, st.lists(st.sampled_from(KEYS), max_size=3))
        | st.builds(lambda v, default: {"var": [v["var"], default]}, variables, literals)
    )
    return st.recursive(
        atoms,
        lambda inner: (
            st.builds(lambda op, rule: {op: rule}, st.sampled_from(["!", "!!"]), inner)
            | st.builds(
                lambda op, rules: {op: rules},
                st.sampled_from(["and", "or"]),
                st.lists(inner, min_size=1, max_size=3),
            )
            | st.builds(lambda *parts: {"if": list(parts)}, inner, inner, inner)
        ),
        max_leaves=5,
    )


@settings(max_examples=400, deadline=None)
@given(rule=_rules(), data=st.dictionaries(st.sampled_from(KEYS), values))
def test_compiled_rules_agree_with_the_engine_on_the_whole_data(rule: Any, data: Any) -> None:
    try:
        expected = _ENGINE.compile(rule).evaluate(data)
    except Exception:  # the engine refuses it: we must say null / false, never raise
        expected = None
    compiled = compile_rule(rule)
    assert compiled.evaluate(data) == expected
    assert compiled.holds(data) is bool(expected)
    # A mapping that is not a dict takes the general branch: the same answers.
    assert compiled.holds(MappingProxyType(data)) is bool(expected)


@settings(max_examples=200, deadline=None)
@given(
    rule=_rules(),
    answers=st.dictionaries(
        st.sampled_from(KEYS), values | hostile_values | st.lists(hostile_values)
    ),
)
def test_compiled_rules_never_raise_on_hostile_data(rule: Any, answers: Any) -> None:
    compiled = compile_rule(rule)
    data = logic_data(answers)
    value = compiled.evaluate(data)
    assert compiled.holds(data) is bool(value)
    assert compiled.holds(MappingProxyType(data)) is bool(value)
