"""Mistakes that used to pass lint and give silently wrong results (issue 12), each caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from questionnaire.engine import DefinitionError, Severity, evaluate
from questionnaire.engine.loader import load_text
from questionnaire.engine.pathtests import run_file

from .builders import as_yaml, choice, definition, load, page, question


def problems(doc: dict[str, Any] | str) -> list[str]:
    text = doc if isinstance(doc, str) else as_yaml(doc)
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "defs/demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def warnings(doc: dict[str, Any]) -> list[str]:
    return [d.format() for d in load(doc).warnings if d.severity is Severity.WARNING]


SERVICES = question(
    "services",
    "repeat",
    questions=[
        choice("protocol", "tcp", "https"),
        question("port", "port"),
    ],
)


def with_computed(logic: Any) -> dict[str, Any]:
    return definition(page("p", SERVICES), computed=[{"id": "total", "logic": logic}])


# -- names inside iterators over a repeating group -------------------------------------------


def test_a_misspelt_field_inside_some_is_an_error_with_a_suggestion() -> None:
    rule = {"some": [{"var": "services"}, {"==": [{"var": "protocl"}, "https"]}]}
    (found,) = problems(with_computed(rule))
    assert (
        "error: 'protocl' is not a field of 'services' (its records have protocol, port)"
        " (did you mean 'protocol'?) (at computed[0].logic.some[1].==[0].var)"
    ) in found


def test_an_option_that_no_field_offers_inside_filter_is_an_error() -> None:
    rule = {"filter": [{"var": "services"}, {"==": [{"var": "protocol"}, "htps"]}]}
    (found,) = problems(with_computed(rule))
    assert "'htps' is not an option of 'protocol' (did you mean 'https'?)" in found


def test_current_is_only_for_reduce() -> None:
    (found,) = problems(with_computed({"map": [{"var": "services"}, {"var": "current.port"}]}))
    assert """write the record's field as {"var": "port"}: 'current' is only for reduce""" in found


def test_reduce_names_fields_through_current() -> None:
    rule = {"reduce": [{"var": "services"}, {"+": [{"var": "port"}, {"var": "accumulator"}]}, 0]}
    (found,) = problems(with_computed(rule))
    assert """a record's field is {"var": "current.field"}""" in found
    bad = {"reduce": [{"var": "services"}, {"+": [{"var": "current.prot"}, 1]}, 0]}
    (found,) = problems(with_computed(bad))
    assert "'current.prot' is not a field of 'services'" in found


def test_right_names_inside_iterators_load_and_compute() -> None:
    rule = {
        "reduce": [
            {"filter": [{"var": "services"}, {"==": [{"var": "protocol"}, "https"]}]},
            {"+": [{"var": "current.port"}, {"var": "accumulator"}]},
            0,
        ]
    }
    questionnaire = load(with_computed(rule))
    records = [{"protocol": "https", "port": 443}, {"protocol": "tcp", "port": 25}]
    assert evaluate(questionnaire, {"services": records}).computed["total"] == 443


def test_iterating_a_list_that_is_not_a_group_checks_no_names() -> None:
    flags = choice("flags", "a", "b", multi=True)
    rule = {"some": [{"var": "flags"}, {"==": [{"var": ""}, "a"]}]}
    load(definition(page("p", flags), computed=[{"id": "has_a", "logic": rule}]))


# -- comparing with false, 0 or "" an answer that can be unanswered ---------------------------


def test_equal_to_false_warns_when_the_answer_can_be_unanswered() -> None:
    doc = definition(
        page(
            "p",
            question("ha", "yes_no"),
            question("peer", show_if={"==": [{"var": "ha"}, False]}),
        )
    )
    (found,) = warnings(doc)
    assert (
        """{"==": [{"var": "ha"}, false]} also holds while 'ha' is unanswered"""
        """ (loose equality takes null as false, 0 and ""): write {"===": [{"var": "ha"}, false]}"""
    ) in found
    assert "demo.yaml:" in found and "(at pages[0].questions[1].show_if.==)" in found


def test_strict_equality_and_always_answered_questions_do_not_warn() -> None:
    strict = page(
        "p", question("ha", "yes_no"), question("x", show_if={"===": [{"var": "ha"}, False]})
    )
    assert warnings(definition(strict)) == []
    earlier = page("first", question("count", "integer"), next="second")
    later = page("second", question("y", show_if={"==": [{"var": "count"}, 0]}))
    assert warnings(definition(earlier, later)) == []


def test_an_optional_number_compared_with_zero_on_a_later_page_warns() -> None:
    earlier = page("first", question("count", "integer", required=False), next="second")
    later = page("second", question("y", show_if={"!=": [{"var": "count"}, 0]}))
    (found,) = warnings(definition(earlier, later))
    assert """is false while 'count' is unanswered""" in found
    assert """write {"!==": [{"var": "count"}, 0]}""" in found


def test_not_true_on_a_yes_no_answer_suggests_testing_for_no() -> None:
    doc = definition(
        page("p", question("ha", "yes_no"), question("x", show_if={"!=": [{"var": "ha"}, True]}))
    )
    (found,) = warnings(doc)
    assert """to test an answer of no, write {"===": [{"var": "ha"}, false]}""" in found


def test_the_warning_reflects_what_the_engine_does() -> None:
    # The documented example: why the warning exists, and that its suggestion is right.
    doc = definition(
        page(
            "p",
            question("ha", "yes_no"),
            question("loose", show_if={"==": [{"var": "ha"}, False]}),
            question("strict", show_if={"===": [{"var": "ha"}, False]}),
        )
    )
    shown = [q.id for q in evaluate(load(doc), {}).pages["p"].questions]
    assert shown == ["ha", "loose"]


# -- constraint messages quote answers ----------------------------------------------------------


def test_constraint_messages_are_piped() -> None:
    doc = definition(
        page(
            "p",
            question("organisation"),
            question(
                "port",
                "port",
                constraints=[
                    {
                        "rule": {"!=": [{"var": "value"}, 22]},
                        "message": "Port {value} is kept for {organisation}'s appliance",
                    }
                ],
            ),
        )
    )
    flow = evaluate(load(doc), {"organisation": "Acme", "port": 22})
    assert flow.pages["p"].problems == {"port": "Port 22 is kept for Acme's appliance"}


def test_constraint_messages_in_records_quote_the_record() -> None:
    group = question(
        "services",
        "repeat",
        questions=[
            question("name"),
            question(
                "port",
                "port",
                constraints=[
                    {
                        "rule": {"<": [{"var": "value"}, 1000]},
                        "message": "{item.name}: {value} is too high",
                    }
                ],
            ),
        ],
    )
    flow = evaluate(
        load(definition(page("p", group))), {"services": [{"name": "web", "port": 8080}]}
    )
    assert flow.pages["p"].problems == {"services[0].port": "web: 8080 is too high"}


def test_unknown_names_in_constraint_messages_are_errors() -> None:
    doc = definition(
        page(
            "p",
            question("organisation"),
            question(
                "port", "port", constraints=[{"rule": True, "message": "Not for {organisaton}"}]
            ),
        )
    )
    (found,) = problems(doc)
    assert (
        "quoted answer refers to unknown question 'organisaton' (did you mean 'organisation'?)"
        in found
    )
    assert "(at pages[0].questions[1].constraints[0].message)" in found


# -- schema and rule errors in one run --------------------------------------------------------


def test_schema_errors_do_not_hide_rule_errors() -> None:
    doc = definition(
        page(
            "p",
            question("count", "integr"),
            question("fabric", show_if={"==": [{"var": "fabrik"}, "aci"]}),
            question("later", show_if={"var": "count"}, colour="red"),
        )
    )
    found = problems(doc)
    assert len(found) == 3, found
    assert "question 'count': unknown type 'integr' (did you mean 'integer'?)" in found[0]
    assert "condition refers to unknown question 'fabrik' (did you mean 'fabric'?)" in found[1]
    assert "unknown key 'colour'" in found[2]


def test_a_definition_without_an_id_reports_its_schema_errors_alone() -> None:
    doc = definition(page("p", question("x", show_if={"var": "nowhere"})))
    del doc["id"]
    (found,) = problems(doc)
    assert "missing required key 'id'" in found


# -- path tests and nested groups ------------------------------------------------------------


def test_a_path_test_naming_an_unknown_question_fails(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(definition(page("p", SERVICES, question("name")))))
    (tmp_path / "test.yaml").write_text(
        as_yaml(
            {
                "definition": "demo.yaml",
                "cases": [
                    {
                        "name": "typos",
                        "expect": {
                            "visible": ["nam", "name"],
                            "hidden": ["services.prot"],
                        },
                    }
                ],
            }
        )
    )
    (result,), diagnostics = run_file(tmp_path / "test.yaml")
    assert diagnostics == []
    assert result.failures == [
        "visible: unknown question 'nam' (did you mean 'name'?)",
        "hidden: unknown question 'services.prot' (did you mean 'services.port'?)",
    ]


def test_a_nested_group_is_told_what_is_not_allowed() -> None:
    deepest = question("ports", "repeat", questions=[question("port", "port")])
    inner = question("servers", "repeat", questions=[deepest])
    (found,) = problems(definition(page("p", question("services", "repeat", questions=[inner]))))
    assert "only one level of nesting: 'servers' is already inside 'services'" in found
    assert "did you mean" not in found
    upload = question("design", "file")
    (found,) = problems(definition(page("p", question("services", "repeat", questions=[upload]))))
    assert "a repeating group cannot hold file questions" in found
