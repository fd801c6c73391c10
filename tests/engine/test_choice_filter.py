"""choice_filter: one rule weighed per option offers cascading lists (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.engine import DefinitionError, Severity, evaluate, submit_page
from questionnaire.engine.loader import load_text
from questionnaire.engine.pathtests import run_file

from .builders import as_yaml, definition, load, page, question

CITIES: list[dict[str, Any]] = [
    {"value": "leeds", "label": "Leeds", "country": "uk"},
    {"value": "york", "label": "York", "country": "uk"},
    {"value": "lyon", "label": "Lyon", "country": "fr"},
    {"value": "paris", "label": "Paris", "country": "fr", "capital": True},
]
SAME_COUNTRY = {"==": [{"var": "option.country"}, {"var": "country"}]}


def cascade(rule: Any = SAME_COUNTRY, cities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    country = {
        **question("country", "choice"),
        "choices": [{"value": "uk", "label": "UK"}, {"value": "fr", "label": "France"}],
    }
    city = {**question("city", "choice", required=False), "choices": cities or CITIES}
    city["choice_filter"] = rule
    return definition(page("where", country, next="town"), page("town", city))


def lint(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    return [d.format() for d in caught.value.diagnostics]


def lint_warnings(doc: dict[str, Any]) -> list[str]:
    loaded = load_text(as_yaml(doc), "demo.yaml")
    return [d.format() for d in loaded.warnings if d.severity is Severity.WARNING]


def test_only_the_options_whose_filter_holds_are_offered() -> None:
    flow = evaluate(load(cascade()), {"country": "fr"})
    assert [c.value for c in flow.pages["town"].questions[0].choices] == ["lyon", "paris"]


def test_an_option_key_and_an_answer_can_combine() -> None:
    rule = {"and": [SAME_COUNTRY, {"var": "option.capital"}]}
    flow = evaluate(load(cascade(rule)), {"country": "fr"})
    assert [c.value for c in flow.pages["town"].questions[0].choices] == ["paris"]


def test_an_answer_the_filter_no_longer_offers_is_dropped() -> None:
    flow = evaluate(load(cascade()), {"country": "fr", "city": "york"})
    assert "city" not in flow.answers
    assert [d.reason for d in flow.dropped] == ["option(s) 'york' no longer offered"]


def test_a_posted_option_outside_the_filter_is_refused_and_not_stored() -> None:
    questionnaire = load(cascade())
    result = submit_page(questionnaire, {"country": "fr"}, "town", {"city": "york"})
    assert result.errors == {"city": "Select one of the options offered for ‘City’"}
    assert "city" not in result.answers
    ok = submit_page(questionnaire, {"country": "fr"}, "town", {"city": "lyon"})
    assert ok.ok and ok.answers["city"] == "lyon"


def test_no_option_offered_says_to_change_the_earlier_answers() -> None:
    rule = {"==": [{"var": "option.country"}, "de"]}
    result = submit_page(load(cascade(rule)), {"country": "fr"}, "town", {"city": "lyon"})
    assert "There are no options for ‘City’" in result.errors["city"]


def test_a_filter_inside_a_repeating_group_reads_the_record() -> None:
    city = {**question("city", "choice"), "choices": CITIES}
    city["choice_filter"] = {"==": [{"var": "option.country"}, {"var": "item.country"}]}
    sites = question("sites", "repeat", questions=[question("country"), city])
    flow = evaluate(load(definition(page("p", sites))), {"sites": [{"country": "uk"}]})
    (record,) = flow.pages["p"].questions[0].records
    assert [c.value for c in record[1].choices] == ["leeds", "york"]


@settings(max_examples=40, deadline=None)
@given(
    countries=st.lists(st.sampled_from(["uk", "fr", "de"]), min_size=1, max_size=8),
    answer=st.sampled_from(["uk", "fr"]),
    posted=st.integers(min_value=0, max_value=7),
)
def test_offered_options_are_exactly_those_whose_filter_holds(
    countries: list[str], answer: str, posted: int
) -> None:
    cities = [
        {"value": f"c{n}", "label": f"City {n}", "country": country}
        for n, country in enumerate(countries)
    ]
    questionnaire = load(cascade(cities=cities))
    flow = evaluate(questionnaire, {"country": answer})
    offered = [c.value for c in flow.pages["town"].questions[0].choices]
    assert offered == [c["value"] for c in cities if c["country"] == answer]
    value = cities[posted % len(cities)]["value"]
    result = submit_page(questionnaire, {"country": answer}, "town", {"city": value})
    assert result.ok == (value in offered)
    assert ("city" in result.answers) == (value in offered)


def test_an_unknown_option_key_is_located_with_a_suggestion() -> None:
    doc = cascade({"==": [{"var": "option.contry"}, {"var": "country"}]})
    (found,) = lint(doc)
    line = as_yaml(doc).splitlines().index("      - var: option.contry") + 1
    assert found.startswith(f"demo.yaml:{line}:")
    assert "unknown option key 'contry' (did you mean 'country'?)" in found
    assert "carry: capital, country, hint, label, value" in found
    assert found.endswith("(at pages[1].questions[0].choice_filter.==[0].var)")


def test_an_unknown_answer_in_a_filter_is_named() -> None:
    (found,) = lint(cascade({"==": [{"var": "option.country"}, {"var": "countyr"}]}))
    assert "refers to unknown question 'countyr' (did you mean 'country'?)" in found


def test_a_filter_reading_its_own_question_is_refused() -> None:
    (found,) = lint(cascade({"==": [{"var": "option.value"}, {"var": "city"}]}))
    assert "the choice filter of 'city' reads its own answer" in found
    assert "(at pages[1].questions[0].choice_filter.==[1].var)" in found


def test_a_filter_reading_the_same_page_or_no_option_is_warned() -> None:
    doc = cascade()
    doc["pages"][0]["questions"].append(doc["pages"][1]["questions"][0])
    doc["pages"][1]["questions"] = [question("other")]
    (same_page,) = lint_warnings(doc)
    assert "ask 'country' on an earlier page" in same_page
    (no_option,) = lint_warnings(cascade({"==": [{"var": "country"}, "uk"]}))
    assert "never reads the option" in no_option


def test_an_own_key_like_a_standard_one_is_warned() -> None:
    cities = [{**CITIES[0], "hnit": "North"}, *CITIES[1:]]
    (found,) = lint_warnings(cascade(cities=cities))
    assert "option key 'hnit' is the option's own data (did you mean 'hint'?)" in found


def test_own_keys_must_be_plain() -> None:
    cities = [{**CITIES[0], "Bad-Key": "x"}, {**CITIES[1], "nested": {"a": 1}}]
    found = lint(cascade(cities=cities))
    assert any("option key 'Bad-Key' must be lower-case" in f for f in found)
    assert any("option key 'nested' must be a plain value" in f for f in found)


def test_a_path_test_checks_the_options_a_cascade_offers(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(cascade()))
    cases = [
        {
            "name": "uk",
            "answers": {"country": "uk"},
            "expect": {"options": {"city": ["leeds", "york"]}},
        },
        {
            "name": "france, a UK city dropped",
            "answers": {"country": "fr", "city": "leeds"},
            "expect": {"options": {"city": ["leeds"]}, "dropped": ["city"]},
        },
        {"name": "not asked", "answers": {}, "expect": {"options": {"nowhere": []}}},
    ]
    (tmp_path / "t.yaml").write_text(as_yaml({"definition": "demo.yaml", "cases": cases}))
    (uk, france, unknown), _ = run_file(tmp_path / "t.yaml")
    assert uk.failures == []
    assert france.failures == ["options: 'city' expected ['leeds'], got ['lyon', 'paris']"]
    assert unknown.failures == ["options: 'nowhere' is not shown on the path"]
