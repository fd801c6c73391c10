"""Computed fields per record (``computed:`` in a group) and addressing one record in a rule
(``{"var": "services.0.protocol"}``): worked out in the flow, read outside the record, linted."""

from __future__ import annotations

from typing import Any

import pytest

from questionnaire.engine import DefinitionError, evaluate
from questionnaire.engine.logic import compile_rule

from .builders import as_yaml, choice, definition, load, page, question

PROTOCOL = choice("protocol", "http", "https")
SERVERS = question("servers", "integer", label="Real servers")
PORTS = question("ports", "integer", required=False)
TOTAL = {
    "id": "total",
    "label": "Real server ports",
    "logic": {"*": [{"var": "item.servers"}, {"var": ["item.ports", 1]}]},
}
SERVICES = question(
    "services", "repeat", item_label="Service", max_items=3,
    questions=[PROTOCOL, SERVERS, PORTS], computed=[TOTAL],
)  # fmt: skip
FIRST_HTTPS = {"===": [{"var": "services.0.protocol"}, "https"]}
BIG = {"some": [{"var": "services"}, {">": [{"var": "total"}, 10]}]}
TLS = question("tls_cert", show_if=FIRST_HTTPS, required=False)
Q = load(
    definition(
        page("services", SERVICES, next="more"),
        page("more", TLS),
        computed=[
            {
                "id": "all_ports",
                "logic": {
                    "reduce": [
                        {"var": "services"},
                        {"+": [{"var": "accumulator"}, {"var": "current.total"}]},
                        0,
                    ]
                },
            },
            {"id": "any_big", "logic": BIG},
        ],
    )
)


def _answers(*records: dict[str, Any]) -> dict[str, Any]:
    return {"services": list(records)}


def test_each_record_gets_its_computed_fields_read_by_rules_outside_it() -> None:
    flow = evaluate(
        Q,
        _answers(
            {"protocol": "https", "servers": 4, "ports": 3},
            {"protocol": "http", "servers": 2},
        ),
    )
    assert [r["total"] for r in flow.answers["services"]] == [12, 2]
    assert flow.computed == {"all_ports": 14, "any_big": True}
    assert "tls_cert" in [q.id for q in flow.pages["more"].questions]


def test_one_record_is_addressed_by_position_through_the_compiled_logic() -> None:
    rule = compile_rule(FIRST_HTTPS)
    assert rule.holds({"services": [{"protocol": "https"}, {"protocol": "http"}]})
    assert not rule.holds({"services": [{"protocol": "http"}, {"protocol": "https"}]})
    assert not rule.holds({"services": []}) and not rule.holds({})
    flow = evaluate(Q, _answers({"protocol": "http", "servers": 1}, {"protocol": "https"}))
    assert "tls_cert" not in [q.id for q in flow.pages["more"].questions]


# -- lint ------------------------------------------------------------------------------------------


def _diagnostics(doc: dict[str, Any]) -> list[str]:
    try:
        q = load(doc)
    except DefinitionError as caught:
        return [d.format() for d in caught.diagnostics]
    return [d.format() for d in q.warnings]


def _at(doc: dict[str, Any], text: str, nth: int = 0) -> tuple[int, int]:
    """Line and column of the ``nth`` occurrence of ``text`` in the YAML the test loads."""
    hits = [
        (n, line.index(text) + 1)
        for n, line in enumerate(as_yaml(doc).splitlines(), 1)
        if text in line
    ]
    return hits[nth]


def test_lint_names_unknown_and_later_fields_in_computed_fields_with_locations() -> None:
    typo = {"id": "total", "logic": {"var": "item.severs"}}
    ahead = {"id": "first", "logic": {"var": "item.second"}}
    second = {"id": "second", "logic": {"var": "item.first"}}
    group = {**SERVICES, "computed": [typo, ahead, second]}
    doc = definition(page("services", group))
    found = _diagnostics(doc)
    line, column = _at(doc, "var: item.severs")
    assert found[0] == (
        f"demo.yaml:{line}:{column}: error: condition refers to unknown field 'item.severs' of "
        "'services' (did you mean 'servers'?) (at pages[0].questions[0].computed[0].logic.var)"
    )
    assert (
        "computed field 'first' of 'services' reads 'item.second', which is worked out "
        in (found[1])
    )
    assert "in a cycle" in found[1] and len(found) == 2  # second reads first: defined before it


def test_lint_of_a_computed_field_read_inside_the_record_or_clashing_with_a_field() -> None:
    early = {**PORTS, "show_if": {"var": "item.total"}}
    clash = {"id": "servers", "logic": 1}
    group = {**SERVICES, "questions": [PROTOCOL, SERVERS, early], "computed": [TOTAL, clash]}
    found = _diagnostics(definition(page("services", group)))
    assert (
        "which is worked out after the record's questions: read it outside the record" in (found[0])
    )
    assert "computed field 'servers' has the id of one of the record's fields" in found[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("services.0.protocl", "'protocl' is not a field of 'services' (its records have "
         "protocol, servers, ports, total) (did you mean 'protocol'?)"),
        ("services.3.protocol", "'services' holds at most 3 records (max_items), so record 3 "
         "never exists (the first is 0)"),
        ("services.protocol", "reads nothing, a record of 'services' is addressed by its "
         "position, e.g. services.0.protocol (the first record)"),
    ],
)  # fmt: skip
def test_lint_of_addressing_one_record(name: str, message: str) -> None:
    show_if = {"===": [{"var": name}, "https"]}
    doc = definition(
        page("services", SERVICES, next="more"), page("more", question("t", show_if=show_if))
    )
    line, column = _at(doc, f"var: {name}")
    assert _diagnostics(doc) == [
        f"demo.yaml:{line}:{column}: error: condition '{name}': {message} "
        "(at pages[1].questions[0].show_if.===[0].var)"
    ]


def test_lint_warns_that_an_addressed_record_may_not_exist_unless_min_items_holds_it() -> None:
    show_if = {"===": [{"var": "services.1.protocol"}, "https"]}
    later = page("more", question("t", show_if=show_if))
    warned = _diagnostics(definition(page("services", SERVICES, next="more"), later))
    assert (
        len(warned) == 1
        and "warning: condition 'services.1.protocol' reads nothing when" in (warned[0])
    )
    held = {**SERVICES, "min_items": 2}
    assert _diagnostics(definition(page("services", held, next="more"), later)) == []


def test_lint_checks_options_of_an_addressed_record_field() -> None:
    show_if = {"===": [{"var": "services.0.protocol"}, "htps"]}
    doc = definition(
        page("services", {**SERVICES, "min_items": 1}, next="more"),
        page("more", question("t", show_if=show_if)),
    )
    assert any("'htps' is not an option of 'protocol'" in m for m in _diagnostics(doc))


def test_one_records_field_and_computed_field_are_piped_and_linted() -> None:
    label = "The first service: {services.0.protocol}, {services.0.total} ports"
    held = {**SERVICES, "min_items": 1}
    q = load(
        definition(page("services", held, next="more"), page("more", question("t", label=label)))
    )
    flow = evaluate(q, _answers({"protocol": "https", "servers": 2, "ports": 3}))
    assert flow.pages["more"].questions[0].label == "The first service: Https, 6 ports"
    typo = definition(
        page("services", held, next="more"), page("more", question("t", label="{services.0.totl}"))
    )
    assert "quoted answer 'services.0.totl': 'totl' is not a field of 'services'" in (
        " ".join(_diagnostics(typo))
    )
