"""The common shapes of condition, compiled to Python, give exactly the engine's truth value.

:mod:`questionnaire.engine.fastpath` answers for the value types it knows and hands the rest
to the engine; these tests generate rules of every shape it knows and values of every kind
(including the ones JavaScript coerces and integers past 2**53), and hold each answer it gives
to the engine's on the same data.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.engine.fastpath import FALLBACK, specialise
from questionnaire.engine.logic import compile_rule

NAMES = ["a", "b", "item"]

#: Literals and answers are drawn from one small pool, so that equal values, values of another
#: kind beside each other and the edge of exact floats all come up often.
POOL = [None, True, False, 0, 1, 2, 1.0, 1.5, 2**53, 2**53 + 1, -(2**53) - 1, 2**63 - 1,
        "", "x", "1", "true", "10.", "10.1.2.3"]  # fmt: skip
#: Answers the engine reads otherwise than Python holds them (null, refused): never in a rule.
ODD = [float("nan"), float("inf"), 2**64, "\ud800", "Zürich"]
scalars = st.sampled_from(POOL + ODD)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b"]), inner),
    max_leaves=5,
)
plain = st.sampled_from(NAMES).map(lambda name: {"var": name})
literals = st.sampled_from([v for v in POOL if v is not None])
texts = st.sampled_from(["x", "1", "", "10."])
comparisons = st.sampled_from(["==", "!=", "===", "!==", "<", "<=", ">", ">="])


def _atoms() -> st.SearchStrategy[Any]:
    return (
        plain
        | st.builds(lambda op, v: {op: v}, st.sampled_from(["!", "!!"]), plain)
        | st.builds(lambda op, v, lit: {op: [v, lit]}, comparisons, plain, literals)
        | st.builds(lambda op, a, b: {op: [a, b]}, comparisons, plain, plain)
        | st.builds(lambda v, texts: {"in": [v, texts]}, plain, st.lists(texts, max_size=3))
        | st.builds(lambda text, v: {"in": [text, v]}, texts, plain)
    )  # fmt: skip


def _rules() -> st.SearchStrategy[Any]:
    return st.recursive(
        _atoms(),
        lambda inner: st.builds(
            lambda op, parts: {op: parts}, st.sampled_from(["and", "or"]), st.lists(inner, min_size=1, max_size=3)
        ),
        max_leaves=4,
    )  # fmt: skip


def _engine_truth(rule: Any, data: dict[str, Any]) -> bool:
    """``holds`` as it is without the fast path: the engine, on the answers the rule reads."""
    compiled = compile_rule(rule)
    compiled._fast = None
    return compiled.holds(data)


@settings(max_examples=1500, deadline=None)
@given(rule=_rules(), data=st.dictionaries(st.sampled_from(NAMES), values))
def test_every_answer_of_the_fast_path_is_the_engines(rule: Any, data: dict[str, Any]) -> None:
    fast = specialise(rule)
    assert fast is not None, "a shape the fast path knows"
    found = fast(data)
    expected = _engine_truth(rule, data)
    if found is not FALLBACK:
        assert found is expected
    assert compile_rule(rule).holds(data) is expected


class _NoEngine:
    """Stands in for the compiled engine rule: any call means the fast path was not taken."""

    def evaluate(self, _data: object) -> object:
        raise AssertionError("the engine was called")


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"==": [{"var": "fabric"}, "cisco_aci"]}, {"fabric": "cisco_aci"}, True),
        ({"!=": [{"var": "fabric"}, "cisco_aci"]}, {"fabric": "cisco_aci"}, False),
        ({">": [{"var": "sites"}, 1]}, {"sites": 3}, True),
        ({"<=": [{"var": "value"}, {"var": "limit"}]}, {"value": 5, "limit": 4}, False),
        ({"===": [{"var": "ha"}, False]}, {"ha": False}, True),
        ({"in": ["10.", {"var": "address"}]}, {"address": "10.0.0.1"}, True),
        ({"in": ["tcp", {"var": "protocols"}]}, {"protocols": ["udp", "tcp"]}, True),
        ({"in": [{"var": "size"}, ["large", "small"]]}, {"size": "medium"}, False),
        ({"and": [{"var": "ha"}, {"!": {"var": "cloud"}}]}, {"ha": True, "cloud": ""}, True),
        ({"or": [{"<": [{"var": "n"}, 2]}, {"!!": {"var": "x"}}]}, {"n": 5, "x": 0}, False),
    ],
)
def test_the_common_shapes_answer_without_the_engine(
    rule: Any, data: dict[str, Any], expected: bool
) -> None:
    compiled = compile_rule(rule)
    assert compiled.holds(data) is expected  # through the engine or not, the same answer
    compiled._rule = _NoEngine()  # type: ignore[assignment]
    assert compiled.holds(data) is expected


@pytest.mark.parametrize(
    ("rule", "data"),
    [
        ({"==": [{"var": "n"}, "1"]}, {"n": 1}),  # JavaScript coerces: the engine's to say
        ({"<": [{"var": "n"}, 2]}, {"n": "1"}),
        ({"==": [{"var": "n"}, 1]}, {"n": 2**53 + 1}),  # past exact floats
        ({">": [{"var": "n"}, 2**53]}, {"n": 2**53 + 1}),
        ({"!": {"var": "xs"}}, {"xs": []}),
        ({"==": [{"var": "missing"}, "x"]}, {}),
        ({"or": [{"var": "a"}, {"var": "b"}]}, {"a": True, "b": 2**64}),  # b refuses the rule
    ],
)
def test_values_of_other_kinds_go_to_the_engine(rule: Any, data: dict[str, Any]) -> None:
    fast = specialise(rule)
    assert fast is not None and fast(data) is FALLBACK


@pytest.mark.parametrize(
    "rule",
    [
        {"<": [{"var": "a"}, 1, 3]},  # between
        {"==": [{"var": "a"}, [1]]},
        {"var": ["a", "default"]},
        {"var": "list.0"},
        {"==": [{"var": "item.proto"}, "tcp"]},  # the engine reads the whole group
        {"and": [{"var": "a"}, {"if": [{"var": "a"}, 1, 2]}]},
        {"in": [{"var": "a"}, ["x", 1]]},
        {"missing": ["a"]},
    ],
)
def test_other_shapes_are_left_to_the_engine(rule: Any) -> None:
    assert specialise(rule) is None
