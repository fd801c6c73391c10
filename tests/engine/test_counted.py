"""Counted groups (``count: {"var": "site_count"}``): exactly that many records, none added or
removed by the respondent, records beyond the count flagged and kept, never silently lost."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire.engine import (
    DefinitionError,
    RecordNotFound,
    evaluate,
    remove_record,
    submit_page,
    submit_record,
)

from .builders import as_yaml, definition, load, page, question

COUNTER = question("site_count", "integer", label="How many sites?", min=0, max=4)
NAME = question("name", "text", label="Site name")
CITY = question("city", "text", required=False)
SITES = question(
    "sites", "repeat", item_label="Site", max_items=4, count={"var": "site_count"},
    questions=[NAME, CITY],
)  # fmt: skip
Q = load(definition(page("count", COUNTER, next="sites"), page("sites", SITES)))


def _group(answers: dict[str, Any]) -> Any:
    flow = evaluate(Q, answers)
    return flow, next(q for q in flow.pages["sites"].questions if q.id == "sites")


def test_the_count_gives_exactly_that_many_records_the_missing_ones_empty() -> None:
    flow, shown = _group({"site_count": 3, "sites": [{"name": "Leeds"}]})
    assert len(shown.records) == 3
    assert flow.answers["sites"] == [{"name": "Leeds"}, {}, {}]
    assert flow.missing == ("sites[1].name", "sites[2].name")
    assert not flow.complete


def test_no_count_answer_offers_no_record_and_asks_for_none() -> None:
    flow, shown = _group({})
    assert shown.records == () and "sites" not in flow.answers
    assert flow.missing == ("site_count",)


def test_records_beyond_the_count_are_flagged_kept_and_hold_the_page() -> None:
    stored = {"site_count": 1, "sites": [{"name": "Leeds"}, {"name": "York"}, {}]}
    flow, shown = _group(stored)
    assert shown.surplus == ((1, {"name": "York"}),)  # the empty third had nothing typed
    assert flow.answers["sites"] == [{"name": "Leeds"}]
    assert flow.pages["sites"].problems == {
        "sites": "You said there is 1 site: remove site 2, or change the number"
    }
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("sites[1]", "site 2 of 1: flagged for removal")
    ]
    assert not flow.complete
    # Changing the count back shows the record again, as it was typed.
    flow, shown = _group({**stored, "site_count": 2})
    assert flow.answers["sites"][1] == {"name": "York"} and shown.surplus == ()


def test_the_count_is_held_within_max_items() -> None:
    doubled = {**SITES, "count": {"*": [{"var": "site_count"}, 2]}}
    q = load(definition(page("count", COUNTER, next="sites"), page("sites", doubled)))
    shown = evaluate(q, {"site_count": 3}).pages["sites"].questions[0]
    assert len(shown.records) == 4


def test_a_record_within_the_count_is_filled_even_before_those_ahead_of_it() -> None:
    result = submit_record(Q, {"site_count": 3}, "sites", 2, {"name": "Hull"})
    assert result.ok and result.answers["sites"] == [{}, {}, {"name": "Hull"}]


@pytest.mark.parametrize("index", [None, 3])
def test_no_record_is_added_nor_one_beyond_the_count_changed(index: int | None) -> None:
    with pytest.raises(RecordNotFound):
        submit_record(Q, {"site_count": 3}, "sites", index, {"name": "Hull"})


def test_only_a_surplus_record_is_removed() -> None:
    answers: dict[str, Any] = {"site_count": 1, "sites": [{"name": "Leeds"}, {"name": "York"}]}
    with pytest.raises(RecordNotFound):
        remove_record(answers, "sites", 0, Q)
    assert remove_record(answers, "sites", 1, Q)["sites"] == [{"name": "Leeds"}]


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(min_value=-2, max_value=9),
    names=st.lists(st.one_of(st.none(), st.sampled_from(["Leeds", "York"])), max_size=7),
)
def test_records_offered_equal_the_count_and_no_typed_record_goes_unflagged(
    count: int, names: list[str | None]
) -> None:
    records = [{"name": n} if n else {} for n in names]
    flow, shown = _group({"site_count": count, "sites": records})
    offered = count if 0 <= count <= 4 else 0  # a count outside the question's range is no answer
    assert len(shown.records) == offered
    kept = flow.answers.get("sites", [])
    flagged = {index for index, _ in shown.surplus}
    for index, record in enumerate(records):
        if record:  # typed: either still a record, or flagged for removal
            assert (index < len(kept) and kept[index] == record) or index in flagged
    assert bool(flagged) == ("sites" in flow.pages["sites"].problems)
    # Changing the count on its page keeps every stored record, whatever the new count.
    changed = submit_page(Q, {"site_count": 4, "sites": records}, "count", {"site_count": count})
    assert changed.answers["sites"] == records


# -- lint ------------------------------------------------------------------------------------------


def _lint(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load(doc)
    return [d.format() for d in caught.value.diagnostics]


def _lines(doc: dict[str, Any], text: str) -> int:
    """The 1-based line of the first line holding ``text`` in the YAML the test loads."""
    return next(n for n, line in enumerate(as_yaml(doc).splitlines(), 1) if text in line)


def test_lint_holds_the_count_to_an_earlier_integer_within_max_items() -> None:
    loose = {**COUNTER, "max": None}
    doc = definition(page("count", loose, question("kind"), next="sites"), page("sites", SITES))
    line = _lines(doc, "count:")
    assert _lint(doc) == [
        f"demo.yaml:{line}:5: error: question 'sites': its count 'site_count' has no max, but "
        "'sites' holds at most 4 records (max_items): give 'site_count' max: 4 or less "
        "(at pages[1].questions[0].count)"
    ]
    wrong = {**SITES, "count": {"var": "kind"}}
    doc = definition(page("count", question("kind"), next="sites"), page("sites", wrong))
    assert "count must read an earlier whole-number answer" in _lint(doc)[0]
    later = definition(page("sites", SITES, COUNTER))
    assert "which is asked after this point" in " ".join(_lint(later))


def test_lint_refuses_count_with_records_from_or_min_items() -> None:
    given_group = {**SITES, "records_from": "pdr.virtual_services", "max_items": None}
    given_group = {k: v for k, v in given_group.items() if v is not None}
    doc = definition(page("count", COUNTER, next="sites"), page("sites", given_group))
    assert any("count does not apply to records taken from" in m for m in _lint(doc))
    doc = definition(page("count", COUNTER, next="sites"), page("sites", {**SITES, "min_items": 1}))
    line = _lines(doc, "min_items:")
    assert _lint(doc) == [
        f"demo.yaml:{line}:5: error: question 'sites': min_items does not apply when count "
        "gives the number of records: remove it (at pages[1].questions[0].min_items)"
    ]


def test_lint_refuses_count_on_a_group_inside_a_record() -> None:
    inner = {**SITES, "id": "rooms", "count": {"var": "item.city"}}
    outer = question("buildings", "repeat", questions=[CITY, inner])
    doc = definition(page("count", COUNTER, next="sites"), page("sites", outer))
    assert any(
        "question 'buildings.rooms': count is allowed on a top-level group only" in message
        for message in _lint(doc)
    )
