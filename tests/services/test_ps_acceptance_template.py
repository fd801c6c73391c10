"""The Customer PS Acceptance Document's template, rendered in the SoW templates' sandbox:
its sections, a value it lacks named, and typed text that always reads as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from questionnaire.services.ps_acceptance import TemplateBroken, render_document
from questionnaire.services.ps_acceptance_facts import sections_by_title
from sow_prefill.markdown_text import MarkdownText

TEMPLATE = Path(__file__).parents[2] / "templates" / "documents" / "ps_acceptance.md"
HEADINGS = [
    ("h1", "Customer PS Acceptance Document: Acme Health, Imaging"),
    ("h2", "The engagement"),
    ("h2", "What the Statement of Work agreed"),
    ("h3", "Scope"),
    ("h2", "What was delivered"),
    ("h2", "Functional tests"),
    ("h2", "Validation"),
    ("h3", "Your services"),
    ("h2", "Acceptance"),
]


def _values(text: str = "") -> dict[str, Any]:
    """Every value the template reads; ``text`` added to each that a person typed."""
    return {
        "customer": "Acme Health" + text, "project": "Imaging" + text, "engagement_id": 7,
        "contact": "Jo Customer" + text, "engineer": "Eve Engineer", "sow_revision": 2,
        "sow_accepted_by": "Jo Customer" + text, "sow_accepted_on": "1 December 2026",
        "days_sold": "3" + text,
        "sow_sections": [{"title": "Scope", "text": MarkdownText("Two virtual services.")}],
        "virtual_services": [{"name": "web" + text, "vip": "10.0.0.10", "ports": "80, 443",
                              "protocol": "HTTPS", "mode": "Layer 7" + text}],
        "pdr_revision": 4,
        "tests": [{"target": "web", "what": "Failover" + text, "expected": "Served" + text,
                   "actual": "Served", "outcome": "Pass", "tested_on": "30 Nov 2026"}],
        "validation": [{"title": "Your services",
                        "answers": [{"label": "Does web work?", "value": "Yes" + text}]}],
        "validation_submitted": "1 December 2026",
    }  # fmt: skip


def _structure(markdown: str) -> tuple[list[tuple[str, str]], int]:
    """The headings (tag, text) and the number of table rows of the rendered Markdown."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    headings = [
        (token.tag, tokens[n + 1].content)
        for n, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    return headings, sum(1 for token in tokens if token.type == "tr_open")


def test_the_document_has_its_sections_and_tables() -> None:
    markdown = render_document(TEMPLATE, _values())
    headings, rows = _structure(markdown)
    assert headings == HEADINGS
    assert rows == 4  # a header and a row in each table
    assert "accepted by Jo Customer on 1 December 2026" in markdown


def test_a_value_the_template_reads_is_named_when_missing() -> None:
    values = _values()
    del values["tests"]
    with pytest.raises(TemplateBroken, match="tests"):
        render_document(TEMPLATE, values)


def test_nothing_recorded_yet_is_said_in_words() -> None:
    values = {**_values(), "sow_revision": None, "sow_sections": [], "virtual_services": [],
              "tests": [], "validation": [], "days_sold": None}  # fmt: skip
    markdown = render_document(TEMPLATE, values)
    assert "No accepted Statement of Work was found." in markdown
    assert "No virtual service is recorded in the Project Detail Record." in markdown
    assert "No functional test has been recorded yet." in markdown
    assert "The validation questionnaire has not been submitted." in markdown
    assert "**Professional services days sold:** Not recorded" in markdown


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("#|*_-+>`[]()!\\<&\n\r 1.x"), max_size=30))
def test_typed_text_never_adds_a_heading_or_a_table_row(text: str) -> None:
    headings, rows = _structure(render_document(TEMPLATE, _values(text)))
    assert [tag for tag, _ in headings] == [tag for tag, _ in HEADINGS]
    assert rows == 4


def test_the_sow_sections_are_quoted_with_their_headings_one_level_down() -> None:
    markdown = "# SoW\n\n## Scope\n\nTwo services.\n\n### Web\n\nHTTPS.\n\n## Risks\n\nNone.\n"
    assert sections_by_title(markdown) == {
        "Scope": "Two services.\n\n#### Web\n\nHTTPS.",
        "Risks": "None.",
    }
