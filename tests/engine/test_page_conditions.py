"""Page-level ``show_if``: a page skipped without an edge for it (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from questionnaire.engine import DefinitionError, Severity, evaluate
from questionnaire.engine.loader import load_text
from questionnaire.engine.mermaid import mermaid
from questionnaire.engine.pathtests import run_file
from questionnaire.engine.submit import submit_page

from .builders import as_yaml, definition, load, page, question

MEDICAL = {"var": "medical"}


def three_pages(**medical_page: Any) -> dict[str, Any]:
    return definition(
        page("about", question("medical", "yes_no"), next="imaging"),
        page("imaging", question("pacs"), next="contact", show_if=MEDICAL, **medical_page),
        page("contact", question("email", "email")),
    )


def test_a_page_whose_condition_fails_is_skipped_and_its_edges_followed() -> None:
    questionnaire = load(three_pages())
    flow = evaluate(questionnaire, {"medical": False, "pacs": "Sectra"})
    assert flow.path == ("about", "contact")
    assert flow.skipped == ("imaging",)
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("pacs", "page 'imaging' is skipped by its condition")
    ]
    shown = evaluate(questionnaire, {"medical": True, "pacs": "Sectra"})
    assert shown.path == ("about", "imaging", "contact") and shown.skipped == ()
    assert shown.answers["pacs"] == "Sectra"


def test_the_respondent_goes_from_the_page_before_to_the_page_after() -> None:
    questionnaire = load(three_pages())
    submitted = submit_page(questionnaire, {}, "about", {"medical": "no"}, whole_flow=True)
    assert submitted.errors == {}
    assert submitted.flow.next_page("about") == "contact"
    assert submitted.flow.previous_page("contact") == "about"


def test_a_page_condition_may_not_read_the_page_itself() -> None:
    doc = three_pages()
    doc["pages"][1]["show_if"] = {"var": "pacs"}
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    (found,) = [d.format() for d in caught.value.diagnostics]
    assert "condition refers to 'pacs', which is asked after this point on page 'imaging'" in found
    assert "(at pages[1].show_if.var)" in found


def test_reading_an_answer_on_a_page_that_may_be_skipped_warns() -> None:
    doc = three_pages()
    doc["pages"][2]["questions"].append(question("ris", show_if={"var": "pacs"}))
    (found,) = [d.format() for d in load(doc).warnings if d.severity is Severity.WARNING]
    assert (
        "refers to 'pacs' on page 'imaging', which is not always asked before page 'contact'"
        in found
    )


def test_the_graph_shows_the_page_condition() -> None:
    assert 'p_imaging["Imaging (asked if medical)"]' in mermaid(load(three_pages()).definition)


def test_path_tests_check_the_skipped_pages(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(three_pages()))
    cases = [
        {"name": "not medical", "answers": {"medical": False}, "expect": {"skipped": ["imaging"]}},
        {"name": "wrong", "answers": {"medical": True}, "expect": {"skipped": ["imaging"]}},
    ]
    (tmp_path / "t.yaml").write_text(as_yaml({"definition": "demo.yaml", "cases": cases}))
    (passed, failed), _ = run_file(tmp_path / "t.yaml")
    assert passed.failures == []
    assert failed.failures == ["skipped: expected ['imaging'], got []"]
