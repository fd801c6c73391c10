"""Shared inputs for the pre-filler tests: the real definition, its path-test answer sets, the
shipped templates, and a fixed date so that drafts are reproducible."""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from questionnaire.engine import FlowResult, Questionnaire, evaluate, load_file
from sow_prefill.model import Draft
from sow_prefill.prefill import PrefillInput, prefill
from sow_prefill.templates import Library, load_library

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
TODAY = date(2026, 4, 1)

MEDICAL = "Complete response - medical imaging"
STORAGE = "Storage only - complete"
WAF = "WAF only - complete"
TELEPHONY = "Telephony only - complete"
GENERAL = "General load balancing only - complete"
STORAGE_WAF = "Storage and WAF together"
ALL_TYPES = "All five deployment types"
EMPTY = "No answers yet"
ACI = "Cisco ACI without ARP flooding"
ACI_DR = "Cisco ACI with ARP flooding and L4-L7"
TRADITIONAL = "Traditional switching - no ACI page"
AWS = "Appliance in AWS"
ABANDONED = "Abandoned branches"


@cache
def questionnaire() -> Questionnaire:
    return load_file(ROOT / "definitions" / "pre_discovery.yaml")


@cache
def library() -> Library:
    return load_library(TEMPLATES)


@cache
def _cases() -> tuple[tuple[str, dict[str, Any]], ...]:
    doc = yaml.safe_load((ROOT / "definitions" / "tests" / "pre_discovery.yaml").read_text())
    return tuple((case["name"], case["answers"]) for case in doc["cases"])


def case_names() -> list[str]:
    return [name for name, _ in _cases()]


def answers(prefix: str) -> dict[str, Any]:
    """A fresh copy of the answers of the path test whose name starts with ``prefix``."""
    found = [a for name, a in _cases() if name.startswith(prefix)]
    assert len(found) == 1, f"{len(found)} path tests start with {prefix!r}"
    return copy.deepcopy(found[0])


def flow_of(data: dict[str, Any]) -> FlowResult:
    return evaluate(questionnaire(), data)


def prefill_input(data: dict[str, Any], facts: dict[str, Any] | None = None) -> PrefillInput:
    flow = flow_of(data)
    return PrefillInput(
        flow.answers,
        flow.computed,
        questionnaire().models,
        facts or {},
        [d.as_json() for d in flow.dropped],
        today=TODAY,
    )


def draft(
    data: dict[str, Any], facts: dict[str, Any] | None = None, lib: Library | None = None
) -> Draft:
    return prefill(lib or library(), prefill_input(data, facts))


def draft_of(prefix: str, facts: dict[str, Any] | None = None) -> Draft:
    return draft(answers(prefix), facts)
