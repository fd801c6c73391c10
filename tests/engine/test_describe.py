"""Conditions written for people in ``questionnaire graph`` and the preview (issue 12)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from questionnaire.engine.describe import Words, describe
from questionnaire.engine.mermaid import mermaid

from .builders import choice, definition, load, page, question

MEDICAL = {"in": ["medical", {"var": "deployment"}]}
ACI = {"==": [{"var": "fabric"}, "cisco_aci"]}
CHOICES = page(
    "about",
    choice("deployment", "medical", "storage", "waf", multi=True),
    choice("fabric", "cisco_aci", "traditional", "not_sure"),
    question("ha", "yes_no"),
    question("sites", "integer"),
    next="imaging",
)
#: Long enough that the old graph cut it at 80 characters.
LONG = {
    "and": [
        MEDICAL,
        ACI,
        {"or": [{"!": {"var": "ha"}}, {">": [{"var": "sites"}, 3]}]},
        {"in": [{"var": "fabric"}, ["traditional", "not_sure"]]},
    ]
}
IMAGING = page(
    "imaging", question("pacs"), show_if=LONG, next=[{"to": "review", "if": LONG}, {"to": "review"}]
)


def words() -> Words:
    return Words.of(load(definition(CHOICES, IMAGING)).definition)


def test_a_condition_reads_with_the_options_labels() -> None:
    text = describe({"and": [MEDICAL, ACI]}, words())
    assert text == "deployment includes Medical and fabric is Cisco Aci"


def test_each_operator_has_words() -> None:
    known = words()
    assert describe(LONG, known) == (
        "deployment includes Medical and fabric is Cisco Aci and (not ha or sites > 3)"
        " and (fabric is Traditional or Not Sure)"
    )
    assert describe({"==": [{"var": "ha"}, False]}, known) == "ha is no"
    assert describe({"!=": [{"var": "pacs"}, None]}, known) == "pacs is answered"
    assert describe({"missing": ["pacs", "ha"]}, known) == "pacs unanswered or ha unanswered"
    assert describe({"max": [1, {"var": "sites"}]}, known) == "max(1, sites)"
    over = {"some": [{"var": "services"}, {"==": [{"var": "current.port"}, 443]}]}
    assert describe(over, known) == "some services with current.port is 443"


def test_a_value_that_is_no_option_stays_quoted() -> None:
    assert describe(ACI) == "fabric is 'cisco_aci'"
    assert describe({"==": [{"var": "fabric"}, "cisco"]}, words()) == "fabric is 'cisco'"


def test_the_graph_wraps_a_long_condition_over_lines_and_cuts_nothing() -> None:
    graph = mermaid(load(definition(CHOICES, IMAGING)).definition)
    (node,) = [line for line in graph.splitlines() if line.startswith("    p_imaging[")]
    (edge,) = [line for line in graph.splitlines() if "p_imaging -->|" in line][:1]
    for line in (node, edge):
        assert "…" not in line and '{"' not in line and "var" not in line
        assert line.count("<br/>") >= 2
        unwrapped = line.replace("<br/>", " ")
        assert "deployment includes Medical and fabric is Cisco Aci and (not ha" in unwrapped
        assert "(fabric is Traditional or Not Sure)" in unwrapped
        assert all(len(part) <= 60 for part in line.split("<br/>")[1:-1])


NAMES = st.sampled_from(["ha", "fabric", "deployment", "services", "item.port"])
LEAVES = st.one_of(
    st.builds(lambda n: {"var": n}, NAMES),
    st.sampled_from(["medical", "cisco_aci", "other", True, False, None, 0, 3]),
)
OPERATORS = st.sampled_from(
    ["==", "!=", "===", "<", ">=", "+", "and", "or", "!", "!!", "in", "some", "if", "max", "cat",
     "missing", "days_between", "reduce", "merge", "substr"]
)  # fmt: skip


def _rules(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    lists = st.lists(children, min_size=1, max_size=3)
    return st.builds(lambda op, args: {op: args}, OPERATORS, lists) | lists


@given(st.recursive(LEAVES, _rules, max_leaves=12))
def test_no_rule_is_written_as_json(rule: Any) -> None:
    text = describe(rule, words())
    assert not re.search(r'[{]"|"var"|":', text), text
