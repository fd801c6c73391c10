"""Every author mistake gets `file:line:col: severity: message`, all at once."""

from __future__ import annotations

from typing import Any

import pytest

from questionnaire.engine import DefinitionError, Severity
from questionnaire.engine.loader import load_text

from .builders import as_yaml, choice, definition, equals, load, page, question


def problems(doc: dict[str, Any] | str) -> list[str]:
    text = doc if isinstance(doc, str) else as_yaml(doc)
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "defs/demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def warnings(doc: dict[str, Any]) -> list[str]:
    return [d.format() for d in load(doc).warnings if d.severity is Severity.WARNING]


UNKNOWN_TYPE = """\
id: demo
title: Demo
version: "1.0"
pages:
  - id: about
    title: About
    questions:
      - id: vip_count
        type: integr
        label: How many virtual services?
      - id: fabric
        type: choice
        label: Fabric
        shwo_if: true
        choices: [{value: aci, label: ACI}]
    next: review
"""


def test_schema_errors_name_file_line_column_and_come_together() -> None:
    assert problems(UNKNOWN_TYPE) == [
        "defs/demo.yaml:9:9: error: question 'vip_count': unknown type 'integr' (did you mean 'integer'?)"
        " (at pages[0].questions[0].type)",
        "defs/demo.yaml:14:9: error: question 'fabric': unknown key 'shwo_if' (did you mean 'show_if'?)"
        " (at pages[0].questions[1].shwo_if)",
    ]


def test_missing_keys_and_bad_ids() -> None:
    found = problems(
        {"id": "Bad Id", "version": "1", "pages": [{"id": "p", "title": "P", "next": "review"}]}
    )
    assert any("missing required key 'title'" in p for p in found)
    assert any("'id': String should match pattern" in p for p in found)


def test_duplicate_ids() -> None:
    doc = definition(page("p", question("a"), question("a"), choice("c", "x", "x")))
    found = problems(doc)
    assert any("duplicate question or computed id 'a' (first defined on line" in p for p in found)
    assert any("duplicate option 'x'" in p for p in found)


def test_reserved_ids() -> None:
    assert any(
        "'value' is a reserved word" in p
        for p in problems(definition(page("p", question("value"))))
    )


def test_unknown_reference_with_suggestion() -> None:
    doc = definition(page("p", question("fabric"), question("x", show_if=equals("fabrik", "a"))))
    (found,) = problems(doc)
    assert "condition refers to unknown question 'fabrik' (did you mean 'fabric'?)" in found
    assert "(at pages[0].questions[1].show_if.==[0].var)" in found


def test_reference_to_a_question_asked_later() -> None:
    doc = definition(page("p", question("x", show_if={"var": "later"}), question("later")))
    assert "refers to 'later', which is asked after this point on page 'p'" in problems(doc)[0]


def test_reference_to_a_page_that_never_comes_before() -> None:
    doc = definition(
        page("a", question("q1"), next=[{"to": "b", "if": {"var": "q1"}}, {"to": "c"}]),
        page("b", question("q2"), next="review"),
        page("c", question("q3", show_if={"var": "q2"}), next="review"),
    )
    assert "refers to 'q2' on page 'b', which never comes before page 'c'" in problems(doc)[0]


def test_piping_references_are_checked() -> None:
    doc = definition(page("p", question("x", label="Hello {nmae}")))
    assert "quoted answer refers to unknown question 'nmae'" in problems(doc)[0]


def test_unknown_page_and_missing_default_edge() -> None:
    doc = definition(
        page("a", question("q"), next=[{"to": "b", "if": {"var": "q"}}]),
        page("b", next="reveiw"),
    )
    found = problems(doc)
    assert any("page 'a' has no default edge" in p for p in found)
    assert any("leads to unknown page 'reveiw' (did you mean 'review'?)" in p for p in found)


def test_cycle_is_an_error() -> None:
    doc = definition(
        page("a", next="b"), page("b", next=[{"to": "a", "if": True}, {"to": "review"}])
    )
    assert any("page 'b' leads back to 'a', making a cycle" in p for p in problems(doc))


def test_unreachable_page_is_a_warning() -> None:
    doc = definition(page("a"), page("orphan"))
    assert any("page 'orphan' can never be reached" in w for w in warnings(doc))


def test_invalid_json_logic() -> None:
    doc = definition(page("p", question("a"), question("b", show_if={"==": [{"var": "a"}]})))
    assert "invalid rule: '==' takes at least 2 arguments, not 1" in problems(doc)[0]
    doc = definition(page("p", question("a"), question("b", show_if={"eval": "a"})))
    assert "invalid rule: operator 'eval' is not allowed" in problems(doc)[0]


def test_unknown_option_in_a_condition() -> None:
    doc = definition(
        page(
            "p",
            choice("fabric", "cisco_aci", "nsx"),
            question("x", show_if=equals("fabric", "cisco_acii")),
        )
    )
    assert (
        "'cisco_acii' is not an option of 'fabric' (did you mean 'cisco_aci'?)" in problems(doc)[0]
    )
    doc = definition(
        page(
            "p",
            choice("types", "medical", "waf", multi=True),
            question("x", show_if={"in": ["medicl", {"var": "types"}]}),
        )
    )
    assert "'medicl' is not an option of 'types'" in problems(doc)[0]


def test_cheap_type_mismatches_are_warnings() -> None:
    doc = definition(
        page(
            "p",
            question("ha", "yes_no"),
            question("n", "integer"),
            choice("types", "medical", multi=True),
            question(
                "x",
                show_if={"or": [equals("ha", "yes"), equals("n", "3"), equals("types", "medical")]},
            ),
        )
    )
    found = warnings(doc)
    assert len(found) == 3
    assert (
        "'ha' is a yes/no answer (true or false); comparing it with 'yes' is never true" in found[0]
    )
    assert "'n' is a number" in found[1]
    assert "'types' allows several answers" in found[2]


def test_a_mismatch_under_the_division_operator_is_located_inside_it() -> None:
    # "/" is an operator and a JSON pointer's separator: unescaped, the pointer lost its place.
    doc = definition(
        page(
            "p",
            question("ha", "yes_no"),
            question("x", show_if={">": [{"/": [equals("ha", "yes"), 1]}, 0]}),
        )
    )
    (found,) = warnings(doc)
    assert found.endswith("(at pages[0].questions[1].show_if.>[0]./[0].==[1])"), found


def test_computed_values_must_be_defined_before_use() -> None:
    doc = definition(
        page("p", question("a")),
        computed=[
            {"id": "first", "logic": {"var": "second"}},
            {"id": "second", "logic": {"var": "a"}},
        ],
    )
    assert (
        "computed value 'second' must be defined before the values that use it" in problems(doc)[0]
    )


def test_record_fields_are_checked() -> None:
    group = {
        "id": "services",
        "type": "repeat",
        "label": "Services",
        "questions": [
            question("protocol"),
            question("tls", "yes_no", show_if=equals("item.protocl", "http")),
        ],
    }
    assert (
        "unknown field 'item.protocl' of 'services' (did you mean 'protocol'?)"
        in problems(definition(page("p", group)))[0]
    )


def test_reference_to_a_page_only_sometimes_before_is_a_warning() -> None:
    doc = definition(
        page("a", question("q1", "yes_no"), next=[{"to": "b", "if": {"var": "q1"}}, {"to": "c"}]),
        page("b", question("q2"), next="c"),
        page("c", question("q3", show_if={"var": "q2"}), next="review"),
    )
    (found,) = warnings(doc)
    assert "refers to 'q2' on page 'b', which is not always asked before page 'c'" in found
