"""One level of nesting (issue 12): a service's record lists its real servers. The flow walks
the nested records with ``item`` as the inner record, a condition on the whole sub-group hides
it (its records reported as dropped), nested records are added, changed and removed one at a
time, and the linter refuses a second level and checks names inside nested iterators."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.engine import DefinitionError, evaluate, load_text
from questionnaire.engine.nested_submit import remove_nested_record, submit_nested_record
from questionnaire.engine.schema import definition_schema
from questionnaire.engine.submit import RecordNotFound, submit_record

from .builders import as_yaml, choice, definition, load, page, question

IP = question("ip", "ip_address", label="IP address of {item.name}")
PORT = question("port", "port", required=False)
NOT_NONE = {"!==": [{"var": "item.mode"}, "none"]}
SERVERS = question(
    "real_servers", "repeat", label="Real servers", item_label="Real server", min_items=1,
    show_if=NOT_NONE, questions=[question("name"), IP, PORT],
)  # fmt: skip
SERVICES = question(
    "services", "repeat", item_label="Service",
    questions=[question("name"), choice("mode", "none", "nat"), SERVERS],
)  # fmt: skip
Q = load(definition(page("services", SERVICES)))
WEB = {"name": "web", "mode": "nat", "real_servers": [{"name": "a", "ip": "10.0.0.1", "port": 80}]}


def shown_services(answers: dict[str, Any]) -> Any:
    return evaluate(Q, answers, trusted=True).pages["services"].questions[0]


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "defs/demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


# -- the flow ----------------------------------------------------------------------------------


def test_nested_records_are_kept_in_the_answers_shape() -> None:
    flow = evaluate(Q, {"services": [WEB]})
    assert flow.answers["services"] == [WEB]
    servers = next(
        f for f in flow.pages["services"].questions[0].records[0] if f.id == "real_servers"
    )
    assert [[f.id for f in record] for record in servers.records] == [["name", "ip", "port"]]
    assert servers.records[0][1].label == "IP address of a"  # item is the nested record


def test_a_nested_group_s_min_items_and_bad_answers_are_per_record() -> None:
    bad = {"name": "web", "mode": "nat", "real_servers": [{"name": "a", "ip": "nope"}]}
    state = evaluate(Q, {"services": [bad, {"name": "m", "mode": "nat"}]}).pages["services"]
    assert "services[0].real_servers[0].ip" in state.missing
    assert "services[1].real_servers" in state.missing  # min_items: 1 per service
    dropped = {d.question for d in evaluate(Q, {"services": [bad]}).dropped}
    assert "services[0].real_servers[0].ip" in dropped


def test_a_condition_on_the_whole_sub_group_hides_it_and_drops_its_records() -> None:
    none = {**WEB, "mode": "none"}
    flow = evaluate(Q, {"services": [none]})
    assert flow.answers["services"] == [{"name": "web", "mode": "none"}]
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("services[0].real_servers", "hidden by its condition")
    ]
    assert "services[0].real_servers" not in flow.pages["services"].missing


def test_the_outer_record_is_read_again_after_its_nested_group() -> None:
    after = question("note", required=False, show_if={"===": [{"var": "item.mode"}, "nat"]})
    services = {**SERVICES, "questions": [*SERVICES["questions"], after]}
    q = load(definition(page("services", services)))
    record = evaluate(q, {"services": [{**WEB, "note": "x"}]}).answers["services"][0]
    assert record["note"] == "x"


# -- editing one nested record -----------------------------------------------------------------

WHERE = ("services", 0, "real_servers")


def test_a_nested_record_is_added_changed_and_removed() -> None:
    answers: dict[str, Any] = {"services": [WEB]}
    added = submit_nested_record(
        Q, answers, WHERE, None, {"name": "b", "ip": "10.0.0.2", "port": "81"}
    )
    assert added.ok
    assert added.answers["services"][0]["real_servers"][1] == {
        "name": "b",
        "ip": "10.0.0.2",
        "port": 81,
    }
    changed = submit_nested_record(Q, added.answers, WHERE, 0, {"name": "a2", "ip": "10.0.0.9"})
    assert changed.answers["services"][0]["real_servers"][0] == {"name": "a2", "ip": "10.0.0.9"}
    removed = remove_nested_record(Q, changed.answers, WHERE, 1)
    assert removed["services"][0]["real_servers"] == [{"name": "a2", "ip": "10.0.0.9"}]


def test_a_bad_nested_record_is_refused_with_messages_and_nothing_lost() -> None:
    answers: dict[str, Any] = {"services": [WEB]}
    result = submit_nested_record(Q, answers, WHERE, 0, {"name": "", "ip": "x"})
    assert set(result.errors) == {"name", "ip"}
    assert result.answers == answers


def test_saving_the_service_keeps_its_real_servers() -> None:
    result = submit_record(Q, {"services": [WEB]}, "services", 0, {"name": "web2", "mode": "nat"})
    assert result.ok
    assert result.answers["services"][0]["real_servers"] == WEB["real_servers"]


def test_a_new_service_is_saved_before_its_required_servers_are_added() -> None:
    result = submit_record(Q, {}, "services", None, {"name": "web", "mode": "nat"})
    assert result.ok, result.errors
    assert "services[0].real_servers" in result.flow.pages["services"].missing


@pytest.mark.parametrize(
    ("where", "sub_index"),
    [(("services", 1, "real_servers"), None), (("services", 0, "real_servers"), 5),
     (("services", -1, "real_servers"), 0)],
)  # fmt: skip
def test_a_record_that_does_not_exist_is_not_found(where: Any, sub_index: int | None) -> None:
    with pytest.raises(RecordNotFound):
        submit_nested_record(
            Q, {"services": [WEB]}, where, sub_index, {"name": "b", "ip": "10.0.0.2"}
        )
    if sub_index is not None:
        with pytest.raises(RecordNotFound):
            remove_nested_record(Q, {"services": [WEB]}, where, sub_index)


def test_a_hidden_sub_group_takes_no_record() -> None:
    with pytest.raises(RecordNotFound):
        submit_nested_record(Q, {"services": [{**WEB, "mode": "none"}]}, WHERE, None, {"name": "b"})


RECORD = st.fixed_dictionaries(
    {"name": st.text(max_size=5), "ip": st.sampled_from(["10.0.0.1", "::1", "x", ""])},
    optional={"port": st.integers(-5, 70000)},
)
SERVICE = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=5).filter(str.strip),
        "mode": st.sampled_from(["none", "nat"]),
    },
    optional={"real_servers": st.lists(RECORD, max_size=3)},
)


@settings(max_examples=60, deadline=None)
@given(st.lists(SERVICE, max_size=3))
def test_nested_answers_round_trip_through_the_flow(services: list[dict[str, Any]]) -> None:
    """What the flow keeps is kept again, unchanged, when walked as trusted stored answers."""
    kept = evaluate(Q, {"services": services}).answers
    again = evaluate(Q, kept, trusted=True)
    assert again.answers == kept
    assert not again.dropped


@settings(max_examples=60, deadline=None)
@given(st.lists(SERVICE, max_size=3), st.integers(-3, 5), st.integers(-3, 5) | st.none())
def test_no_nested_record_outside_the_answers_can_be_addressed(
    services: list[dict[str, Any]], index: int, sub_index: int | None
) -> None:
    kept = evaluate(Q, {"services": services}).answers
    records = kept.get("services", [])
    try:
        result = submit_nested_record(Q, kept, ("services", index, "real_servers"), sub_index, {})
    except RecordNotFound:
        inner = records[index].get("real_servers", []) if 0 <= index < len(records) else None
        assert (
            inner is None
            or records[index]["mode"] == "none"
            or not (sub_index is None or 0 <= sub_index < len(inner))
        )
        return
    assert 0 <= index < len(records)
    assert sub_index is None or 0 <= sub_index < len(records[index].get("real_servers", []))
    assert result.answers == kept or not result.errors


# -- lint --------------------------------------------------------------------------------------


def test_a_second_level_of_nesting_says_what_is_not_allowed() -> None:
    deeper = {
        **SERVERS,
        "questions": [question("ports", "repeat", questions=[question("p", "port")])],
    }
    doc = definition(page("services", {**SERVICES, "questions": [question("name"), deeper]}))
    found = problems(doc)
    assert any(
        "defs/demo.yaml:" in p
        and "only one level of nesting: 'real_servers' is already inside 'services'" in p
        for p in found
    ), found


def test_a_record_holds_one_nested_group_typed_by_the_respondent() -> None:
    other = question(
        "vips", "repeat", records_from="pdr.virtual_services", questions=[question("x")]
    )
    doc = definition(page("services", {**SERVICES, "questions": [*SERVICES["questions"], other]}))
    found = problems(doc)
    assert any(
        "a record holds one repeating group ('services' already holds 'real_servers')" in p
        for p in found
    )
    assert any("only a top-level group takes its records from the engagement" in p for p in found)


def test_names_in_nested_groups_and_iterators_are_checked_with_locations() -> None:
    typo = {**PORT, "show_if": {"==": [{"var": "item.ipp"}, "1"]}}
    servers = {**SERVERS, "questions": [question("name"), IP, typo]}
    total = question(
        "total", "integer",
        show_if={"some": [{"var": "services"}, {"some": [{"var": "real_servers"}, {"==": [{"var": "prt"}, 1]}]}]},
    )  # fmt: skip
    doc = definition(
        page(
            "services",
            {**SERVICES, "questions": [question("name"), choice("mode", "none", "nat"), servers]},
            total,
        )
    )
    found = problems(doc)
    assert any(
        "unknown field 'item.ipp' of 'real_servers' (did you mean 'ip'?)" in p for p in found
    ), found
    assert any(
        "'prt' is not a field of 'real_servers'" in p and "did you mean 'port'" in p for p in found
    ), found
    assert all(p.startswith("defs/demo.yaml:") for p in found)


def test_a_sub_group_s_condition_reads_its_parent_record() -> None:
    wrong = {**SERVERS, "show_if": {"!==": [{"var": "item.mod"}, "none"]}}
    doc = definition(
        page(
            "services",
            {**SERVICES, "questions": [question("name"), choice("mode", "none", "nat"), wrong]},
        )
    )
    assert any("unknown field 'item.mod' of 'services'" in p for p in problems(doc))


def test_the_json_schema_offers_one_level_of_nesting() -> None:
    defs = definition_schema()["$defs"]
    assert "NestedRepeatQuestion" in defs
    inner = str(defs["NestedRepeatQuestion"]["properties"]["questions"])
    assert "NestedRepeatQuestion" not in inner and "RepeatQuestion" not in inner
    assert "NestedRepeatQuestion" in str(defs["RepeatQuestion"]["properties"]["questions"])


def test_path_tests_name_nested_fields_and_see_them_shown() -> None:
    from questionnaire.engine.pathtests import _visible, question_names

    assert {"services.real_servers.ip", "services.real_servers.port"} <= set(question_names(Q))
    shown = _visible(evaluate(Q, {"services": [WEB]}))
    assert "services.real_servers.ip" in shown
    assert "services.real_servers.ip" not in _visible(
        evaluate(Q, {"services": [{**WEB, "mode": "none"}]})
    )
