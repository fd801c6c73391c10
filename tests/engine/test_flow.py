"""The flow: path, visibility, requirements, pruning and the dropped report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from questionnaire.engine import REVIEW, evaluate

from .builders import choice, definition, equals, load, page, question

ACI_WARNING = {
    "text": "Cisco ACI needs ARP flooding",
    "kind": "warning",
    "show_if": equals("fabric", "cisco_aci"),
}

SERVICES = {
    "id": "services",
    "type": "repeat",
    "label": "Services to load balance",
    "item_label": "Service",
    "min_items": 1,
    "max_items": 3,
    "questions": [
        choice("protocol", "tcp", "http"),
        question("name", label="Name of {item.protocol} service"),
        question("tls", "yes_no", show_if=equals("item.protocol", "http")),
        question(
            "port",
            "port",
            constraints=[{"rule": {">": [{"var": "value"}, 10]}, "message": "Use a port above 10"}],
        ),
    ],
}

NETWORK = definition(
    page(
        "network",
        question("organisation", label="Organisation"),
        choice("fabric", "cisco_aci", "traditional", notes=[ACI_WARNING]),
        question("ha", "yes_no", label="Do you have an HA pair?"),
        question("peer", "ip_address", show_if={"var": "ha"}),
        next=[{"to": "aci", "if": {"var": "uses_aci"}}, {"to": "services"}],
    ),
    page("aci", question("aci_admin", label="Who runs {organisation}'s fabric?"), next="services"),
    page("services", SERVICES),
    computed=[{"id": "uses_aci", "logic": equals("fabric", "cisco_aci")}],
)

COMPLETE: dict[str, Any] = {
    "organisation": "Acme Health",
    "fabric": "traditional",
    "ha": False,
    "services": [{"name": "PACS", "protocol": "tcp", "port": 104}],
}


@pytest.fixture(scope="module")
def network():  # type: ignore[no-untyped-def]
    return load(NETWORK)


def test_default_edge_when_no_condition_holds(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, COMPLETE)
    assert flow.path == ("network", "services")
    assert flow.complete and flow.missing == () and flow.dropped == ()
    assert flow.resume_page == REVIEW and flow.progress == 1.0


def test_conditional_edge_through_a_computed_value(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "fabric": "cisco_aci"})
    assert flow.path == ("network", "aci", "services")
    assert flow.computed == {"uses_aci": True}
    assert flow.missing == ("aci_admin",)
    assert not flow.complete and flow.resume_page == "aci"
    assert flow.next_page("network") == "aci" and flow.previous_page("services") == "aci"


def test_no_answers_at_all(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {})
    assert flow.path == ("network", "services")
    assert flow.missing == ("organisation", "fabric", "ha", "services")
    assert flow.computed == {"uses_aci": False}
    assert flow.progress == 0.0


def test_note_shown_only_under_its_condition(network) -> None:  # type: ignore[no-untyped-def]
    shown = evaluate(network, {"fabric": "cisco_aci"}).pages["network"].questions[1]
    assert [n.text for n in shown.notes] == ["Cisco ACI needs ARP flooding"]
    assert evaluate(network, {"fabric": "traditional"}).pages["network"].questions[1].notes == ()


def test_piping_quotes_earlier_answers_as_text(network) -> None:  # type: ignore[no-untyped-def]
    answers = {**COMPLETE, "fabric": "cisco_aci", "organisation": "<b>Acme</b>"}
    aci = evaluate(network, answers).pages["aci"]
    assert aci.questions[0].label == "Who runs <b>Acme</b>'s fabric?"
    unanswered = evaluate(network, {"fabric": "cisco_aci"}).pages["aci"]
    assert unanswered.questions[0].label == "Who runs …'s fabric?"


def test_hidden_question_answer_is_dropped_with_reason(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "peer": "192.0.2.1"})
    assert "peer" not in flow.answers
    assert [(d.question, d.reason) for d in flow.dropped] == [("peer", "hidden by its condition")]


def test_abandoned_branch_is_dropped_and_cannot_steer(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "aci_admin": "Bob"})
    assert flow.path == ("network", "services")
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("aci_admin", "page 'aci' is not on the respondent's path")
    ]


def test_unknown_and_ill_typed_answers_are_dropped(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "ha": "maybe", "nonsense": 1})
    reasons = {d.question: d.reason for d in flow.dropped}
    assert reasons == {
        "ha": "not a valid answer: Select yes or no",
        "nonsense": "not a question in this definition",
    }
    assert "ha" in flow.missing


def test_trusted_answers_are_checked_for_their_whole_shape() -> None:
    # Stored answers skip parsing: a file record holding other data, or a NaN, must not reach
    # the conditions that read them.
    questionnaire = load(
        definition(
            page(
                "p",
                question("diagram", "file"),
                question("ratio", "decimal"),
                question("x", show_if={"or": [{"var": "diagram"}, {"var": "ratio"}]}),
            )
        )
    )
    smuggled = {"id": [[["f-1"]]], "name": "n.pdf", "size": 1, "kind": "pdf"}
    flow = evaluate(questionnaire, {"diagram": smuggled, "ratio": float("nan")}, trusted=True)
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("diagram", "not a valid answer: not in the expected form"),
        ("ratio", "not a valid answer: not in the expected form"),
    ]
    assert flow.answers == {}


def test_records_see_their_own_fields(network) -> None:  # type: ignore[no-untyped-def]
    services = [
        {"protocol": "http", "name": "viewer", "tls": True, "port": 443},
        {"protocol": "tcp", "name": "dicom", "tls": True, "port": 104},
    ]
    flow = evaluate(network, {**COMPLETE, "services": services})
    assert flow.answers["services"] == [
        services[0],
        {"protocol": "tcp", "name": "dicom", "port": 104},
    ]
    assert [(d.question, d.reason) for d in flow.dropped] == [
        ("services[1].tls", "hidden by its condition")
    ]
    records = flow.pages["services"].questions[0].records
    assert [f.id for f in records[0]] == ["protocol", "name", "tls", "port"]
    assert records[1][1].label == "Name of Tcp service"


def test_record_requirements_and_constraints(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "services": [{"protocol": "tcp", "port": 5}]})
    state = flow.pages["services"]
    assert state.missing == ("services[0].name",)
    assert state.problems == {"services[0].port": "Use a port above 10"}


def test_records_beyond_the_maximum_are_dropped(network) -> None:  # type: ignore[no-untyped-def]
    record = {"name": "x", "protocol": "tcp", "port": 80}
    flow = evaluate(network, {**COMPLETE, "services": [record] * 5})
    assert len(flow.answers["services"]) == 3
    assert [d.question for d in flow.dropped] == ["services[3]", "services[4]"]


def test_choice_filtering_drops_withdrawn_option() -> None:
    questionnaire = load(
        definition(
            page(
                "p",
                question("cloud", "yes_no"),
                {
                    **choice("form", "hardware", "aws"),
                    "choices": [
                        {"value": "hardware", "label": "Hardware"},
                        {"value": "aws", "label": "AWS", "show_if": {"var": "cloud"}},
                    ],
                },
            )
        )
    )
    flow = evaluate(questionnaire, {"cloud": False, "form": "aws"})
    shown = flow.pages["p"].questions[1]
    assert [c.value for c in shown.choices] == ["hardware"]
    assert flow.missing == ("form",)
    assert [d.reason for d in flow.dropped] == ["option(s) 'aws' no longer offered"]


def test_required_if_and_optional_questions() -> None:
    questionnaire = load(
        definition(
            page(
                "p",
                question("sites", "integer", required=False),
                question("dr_site", required_if={">": [{"var": "sites"}, 1]}),
            )
        )
    )
    assert evaluate(questionnaire, {}).missing == ()
    assert evaluate(questionnaire, {"sites": 2}).missing == ("dr_site",)


def test_question_constraint_reads_other_answers() -> None:
    questionnaire = load(
        definition(
            page(
                "p",
                question("days_sold", "decimal"),
                question(
                    "days_planned",
                    "decimal",
                    constraints=[
                        {
                            "rule": {"<=": [{"var": "value"}, {"var": "days_sold"}]},
                            "message": "Plan no more than was sold",
                        }
                    ],
                ),
            )
        )
    )
    assert evaluate(questionnaire, {"days_sold": 3, "days_planned": 2}).complete
    problems = evaluate(questionnaire, {"days_sold": 3, "days_planned": 5}).pages["p"].problems
    assert problems == {"days_planned": "Plan no more than was sold"}


def test_until_stops_the_walk_at_the_page_shown(network) -> None:  # type: ignore[no-untyped-def]
    flow = evaluate(network, {**COMPLETE, "fabric": "cisco_aci"}, until="network")
    assert flow.path == ("network",)
    assert flow.pages["network"].next == "aci"


def test_computed_values_refresh_as_soon_as_their_answers_are_given() -> None:
    questionnaire = load(
        definition(
            page(
                "p",
                choice(
                    "fabric",
                    "cisco_aci",
                    "traditional",
                    notes=[{"text": "ACI!", "show_if": {"var": "uses_aci"}}],
                ),
                question("aci_admin", show_if={"var": "uses_aci"}),
            ),
            computed=[{"id": "uses_aci", "logic": equals("fabric", "cisco_aci")}],
        )
    )
    shown = evaluate(questionnaire, {"fabric": "cisco_aci"}).pages["p"].questions
    assert [n.text for n in shown[0].notes] == ["ACI!"]
    assert [q.id for q in shown] == ["fabric", "aci_admin"]


def _wrapping(count: int, levels: int) -> list[dict[str, Any]]:
    """Computed values each wrapping the one before in ``levels`` lists."""
    computed = []
    for n in range(count):
        inner: Any = {"var": f"c{n - 1}"} if n else 1
        for _ in range(levels):
            inner = [inner]
        computed.append({"id": f"c{n}", "logic": inner})
    return computed


def test_computed_values_nested_too_deep_are_null() -> None:
    # Each value wraps the last in 30 lists: the fourth would nest 120 levels deep.
    questionnaire = load(definition(page("p", question("x")), computed=_wrapping(4, 30)))
    computed = evaluate(questionnaire, {}).computed
    ninety_deep: Any = 1
    for _ in range(90):
        ninety_deep = [ninety_deep]
    assert computed["c2"] == ninety_deep
    assert computed["c3"] is None


def test_computed_values_wrapping_each_other_cannot_crash_the_process() -> None:
    # 1,000 values of 30 lists each would nest 30,000 levels deep (the definition loads: each
    # rule is within its own limits), far past what overflows the engine's native stack.
    code = """
from questionnaire.engine import evaluate
from tests.engine.builders import definition, load, page, question
from tests.engine.test_flow import _wrapping
questionnaire = load(definition(page("p", question("x")), computed=_wrapping(1000, 30)))
assert evaluate(questionnaire, {}).path == ("p",)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
