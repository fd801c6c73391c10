"""Posting a page or a record: parse, validate, keep only what applies, never lose valid input."""

from __future__ import annotations

import pytest

from questionnaire.engine import (
    PageNotOnPath,
    RecordNotFound,
    remove_record,
    submit_page,
    submit_record,
)

from .builders import load
from .test_flow import COMPLETE, NETWORK

Q = load(NETWORK)


def test_valid_page_is_stored_and_leads_on() -> None:
    result = submit_page(
        Q, {}, "network", {"organisation": " Acme ", "fabric": "cisco_aci", "ha": "no"}
    )
    assert result.ok
    assert result.answers == {"organisation": "Acme", "fabric": "cisco_aci", "ha": False}
    assert result.flow.next_page("network") == "aci"


def test_errors_per_field_and_valid_answers_kept() -> None:
    result = submit_page(
        Q,
        {"organisation": "Old"},
        "network",
        {"organisation": "New", "fabric": "nope", "ha": "yes"},
    )
    assert result.errors == {
        "fabric": "Select one of the options",
        "peer": "Enter an answer to ‘Peer’",
    }
    assert result.answers == {"organisation": "New", "ha": True}


def test_posted_answers_for_hidden_questions_are_ignored() -> None:
    posted = {
        "organisation": "Acme",
        "fabric": "traditional",
        "ha": "no",
        "peer": "192.0.2.1",
        "other": "x",
    }
    result = submit_page(Q, {}, "network", posted)
    assert result.ok
    assert "peer" not in result.answers and "other" not in result.answers


def test_invalid_value_for_a_visible_question_is_reported() -> None:
    result = submit_page(
        Q,
        {},
        "network",
        {"organisation": "A", "fabric": "traditional", "ha": "yes", "peer": "999.1.1.1"},
    )
    assert set(result.errors) == {"peer"}
    assert "IP address" in result.errors["peer"]


def test_page_not_on_the_path_is_refused() -> None:
    with pytest.raises(PageNotOnPath):
        submit_page(Q, {"fabric": "traditional"}, "aci", {"aci_admin": "Bob"})
    with pytest.raises(PageNotOnPath):
        submit_page(Q, {}, "no_such_page", {})


def test_records_are_added_edited_and_removed() -> None:
    added = submit_record(
        Q,
        COMPLETE,
        "services",
        None,
        {"protocol": "http", "name": "Web", "tls": "yes", "port": "443"},
    )
    assert added.ok, added.errors
    assert added.answers["services"][1] == {
        "protocol": "http",
        "name": "Web",
        "tls": True,
        "port": 443,
    }
    edited = submit_record(
        Q,
        added.answers,
        "services",
        1,
        {"protocol": "tcp", "name": "Web", "tls": "yes", "port": "8443"},
    )
    assert edited.answers["services"][1] == {"protocol": "tcp", "name": "Web", "port": 8443}
    assert remove_record(edited.answers, "services", 0)["services"] == [
        edited.answers["services"][1]
    ]
    assert remove_record(edited.answers, "services", 9) == edited.answers


def test_record_errors_keep_the_stored_records() -> None:
    result = submit_record(Q, COMPLETE, "services", None, {"protocol": "tcp", "port": "5"})
    assert result.errors == {
        "name": "Enter an answer to ‘Name of Tcp service’",
        "port": "Use a port above 10",
    }
    assert result.answers["services"] == COMPLETE["services"]


def test_unknown_record_is_refused() -> None:
    with pytest.raises(RecordNotFound):
        submit_record(Q, COMPLETE, "services", 5, {})
    with pytest.raises(PageNotOnPath):
        submit_record(Q, COMPLETE, "organisation", None, {})


def test_too_many_records() -> None:
    full = {**COMPLETE, "services": COMPLETE["services"] * 3}
    result = submit_record(
        Q, full, "services", None, {"protocol": "tcp", "name": "x", "port": "80"}
    )
    assert result.errors == {"services": "You can add up to 3 service entries"}
