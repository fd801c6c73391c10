"""``records_from``: a repeating group given its records from the engagement. The records are
shown once each, in order, with their fields read-only; the respondent answers the group's
questions about each and can neither add nor remove one; the linter checks the source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.cli import main
from questionnaire.engine import (
    DefinitionError,
    RecordNotFound,
    evaluate,
    load_text,
    remove_record,
    submit_page,
    submit_record,
)
from questionnaire.engine.given import answer_given, starting_records
from questionnaire.engine.pathtests import run_file
from questionnaire.engine.record_sources import RECORD_SOURCES
from questionnaire.engine.schema import definition_schema

from .builders import as_yaml, definition, load, page, question

SOURCE = "pdr.virtual_services"
WORKS = question("works", "yes_no", label="Does {item.name} work from your clients' side?")
PROBLEM = question(
    "problem", "long_text", show_if={"===": [{"var": "item.works"}, False]}, required=False
)
GROUP = question("services", "repeat", records_from=SOURCE, questions=[WORKS, PROBLEM])
Q = load(definition(page("services", GROUP, question("who"))))
WEB = {"name": "Web servers", "vip": "10.0.0.10", "ports": "443", "protocol": "HTTPS"}
MAIL = {"name": "Mail", "vip": "10.0.0.25", "ports": "25, 587", "protocol": "TCP"}


def started(*records: dict[str, Any]) -> dict[str, Any]:
    return starting_records(Q, {SOURCE: list(records)})


def shown_group(answers: dict[str, Any]) -> Any:
    return evaluate(Q, answers, trusted=True).pages["services"].questions[0]


def problems(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "defs/demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


# -- the flow ----------------------------------------------------------------------------------


def test_each_record_is_headed_by_its_given_fields_and_asks_the_groups_questions() -> None:
    group = shown_group(started(WEB, MAIL))
    assert group.headings == ("Web servers — 10.0.0.10:443 HTTPS", "Mail — 10.0.0.25:25, 587 TCP")
    assert [[f.label for f in record] for record in group.records] == [
        ["Does Web servers work from your clients' side?"],
        ["Does Mail work from your clients' side?"],
    ]


def test_given_fields_are_readable_in_conditions_and_answers_keep_them() -> None:
    answers = answer_given(Q, started(WEB), {"services": [{"works": "no"}]})
    flow = evaluate(Q, answers)
    (record,) = flow.pages["services"].questions[0].records
    assert [f.id for f in record] == ["works", "problem"]
    assert flow.answers["services"] == [{**WEB, "works": False}]


def test_a_group_given_no_record_is_not_missing() -> None:
    flow = evaluate(Q, {"who": "Alex"})
    assert flow.complete
    assert flow.missing == ()


def test_a_record_answer_keeps_its_given_fields_whatever_is_posted() -> None:
    posted = {"works": "yes", "name": "Renamed", "vip": "192.0.2.1"}
    result = submit_record(Q, started(WEB), "services", 0, posted, trusted=True)
    assert not result.errors
    assert result.answers["services"] == [{**WEB, "works": True}]


def test_no_record_can_be_added_or_removed() -> None:
    answers = started(WEB)
    with pytest.raises(RecordNotFound):
        submit_record(Q, answers, "services", None, {"works": "yes"}, trusted=True)
    with pytest.raises(RecordNotFound):
        remove_record(answers, "services", 0, Q)
    posted = {"services": [WEB, MAIL], "who": "Alex"}
    assert submit_page(Q, answers, "services", posted).answers["services"] == [WEB]


FIELD = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
RECORD = st.fixed_dictionaries({}, optional=dict.fromkeys(RECORD_SOURCES[SOURCE].fields, FIELD))


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(RECORD, max_size=8),
    typed=st.lists(
        st.dictionaries(st.sampled_from(["name", "works", "extra"]), FIELD), max_size=12
    ),
)
def test_given_records_are_shown_once_each_in_order_and_posts_add_none(
    records: list[dict[str, str]], typed: list[dict[str, str]]
) -> None:
    answers = answer_given(Q, started(*records), {"services": typed})
    group = shown_group(answers)
    expected = [
        RECORD_SOURCES[SOURCE].heading_of({k: v.strip() for k, v in r.items()}) for r in records
    ]
    assert list(group.headings) == expected
    assert len(group.records) == len(records)
    for index in range(len(records)):
        result = submit_record(Q, answers, "services", index, {"works": "yes"}, trusted=True)
        assert len(result.answers.get("services") or []) == len(records)
    with pytest.raises(RecordNotFound):
        submit_record(Q, answers, "services", None, {"works": "yes"}, trusted=True)


# -- lint ----------------------------------------------------------------------------------------


def test_an_unknown_source_is_an_error_at_its_line_with_a_suggestion() -> None:
    group = {**GROUP, "records_from": "pdr.virtual_service"}
    (found,) = problems(definition(page("p", group)))
    assert found == (
        "defs/demo.yaml:11:5: error: question 'services': unknown record source "
        "'pdr.virtual_service' (did you mean 'pdr.virtual_services'?) "
        "(at pages[0].questions[0].records_from)"
    )


def test_a_question_named_like_a_field_and_item_limits_are_errors() -> None:
    group = {**GROUP, "min_items": 1, "max_items": 5, "questions": [question("name"), WORKS]}
    found = problems(definition(page("p", group)))
    assert any(
        "error: question 'services.name': 'name' is a field of each record taken from "
        "'pdr.virtual_services'"
        in f
        and "(at pages[0].questions[0].questions[0].id)" in f
        for f in found
    ), found
    assert any("min_items does not apply" in f and "questions[0].min_items)" in f for f in found)
    assert any("max_items does not apply" in f and "questions[0].max_items)" in f for f in found)


def test_a_field_the_source_does_not_have_is_an_error() -> None:
    label = question("works", "yes_no", label="Does {item.nmae} work?")
    rule = question("problem", show_if={"var": "item.owner"}, required=False)
    found = problems(definition(page("p", {**GROUP, "questions": [label, rule]})))
    assert any(
        "quoted answer refers to unknown field 'item.nmae' of 'services' (its records from "
        "'pdr.virtual_services' have name, vip, ports, protocol"
        in f
        and "(did you mean 'name'?)" in f
        and f.startswith("defs/demo.yaml:")
        for f in found
    ), found
    assert any("condition refers to unknown field 'item.owner'" in f for f in found), found


def test_the_schema_offers_the_sources_to_editors() -> None:
    records_from = definition_schema()["$defs"]["RepeatQuestion"]["properties"]["records_from"]
    assert records_from["examples"] == sorted(RECORD_SOURCES)


# -- path tests and simulate -------------------------------------------------------------------


def test_a_path_test_checks_what_each_record_shows(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(definition(page("services", GROUP))))
    case = {
        "name": "Web",
        "records": {SOURCE: [WEB]},
        "answers": {"services": [{"works": False}]},
        "expect": {"records": {"services": [{"heading": "Web", "visible": ["works"]}]}},
    }
    test = tmp_path / "test.yaml"
    test.write_text(as_yaml({"definition": "demo.yaml", "cases": [case]}))
    (result,), _ = run_file(test)
    assert result.failures == [
        "records: 'services[0]' heading expected 'Web', got 'Web servers — 10.0.0.10:443 HTTPS'",
        "records: 'services[0]' expected questions ['works'], got ['works', 'problem']",
    ]


def test_a_path_test_names_an_unknown_source(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(definition(page("services", GROUP))))
    case = {"name": "x", "records": {"pdr.virtual_service": []}, "expect": {}}
    test = tmp_path / "test.yaml"
    test.write_text(as_yaml({"definition": "demo.yaml", "cases": [case]}))
    (result,), _ = run_file(test)
    assert result.failures == [
        "records: unknown record source 'pdr.virtual_service' (did you mean 'pdr.virtual_services'?)"
    ]


def test_simulate_takes_the_records(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(definition(page("services", GROUP))))
    (tmp_path / "records.yaml").write_text(as_yaml({SOURCE: [WEB]}))
    (tmp_path / "answers.yaml").write_text(
        as_yaml({"services": [{"works": "yes"}, {"works": "no"}]})
    )
    result = CliRunner().invoke(
        main,
        ["simulate", str(tmp_path / "demo.yaml"), str(tmp_path / "answers.yaml"),
         "--records", str(tmp_path / "records.yaml")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answers"]["services"] == [{**WEB, "works": True}]
    bad = CliRunner().invoke(
        main,
        ["simulate", str(tmp_path / "demo.yaml"), str(tmp_path / "answers.yaml"),
         "--records", str(tmp_path / "answers.yaml")],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "unknown record source 'services'" in bad.output
