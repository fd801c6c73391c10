"""Values chosen to break what reads answers, for the property tests of the flow and the rules.

Integers the JSON-Logic engine cannot hold (and that Python cannot print), NaN and infinities,
control characters, digits that are not ASCII, Python values that are not JSON, and lists and
mappings nested deeper than the rules are handed.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def nested(depth: int, leaf: Any, as_mapping: bool = False) -> Any:
    for _ in range(depth):
        leaf = {"k": leaf} if as_mapping else [leaf]
    return leaf


HOSTILE_VALUES: list[Any] = [
    2**63, 2**64, -(2**63) - 1, 10**5000, -(10**5000), float("nan"), float("inf"),
    float("-inf"), 1e308, 5e-324, "\x00", "a\x1fb", "7\x85", "\ud800", "\u212aey", "٣", "²",
    "1e999", "nan", "x" * 100_000, nested(150, "aws"), nested(150, 1, as_mapping=True),
    [nested(150, "tcp")], {"id": nested(150, "f"), "name": "n", "size": 1, "kind": "pdf"},
    b"bytes", (1, 2), {1: 2}, {"a"},
]  # fmt: skip


def _hostile(index: int) -> Any:
    return HOSTILE_VALUES[index]


#: Drawn by index: Hypothesis describes a strategy by repr(), which 10**5000 does not have.
hostile_values = st.integers(0, len(HOSTILE_VALUES) - 1).map(_hostile)
