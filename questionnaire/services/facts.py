"""An engagement's commercial facts as the SoW will use them.

The pre-filler's ``fact(key)`` takes the fact the engineer recorded, else the customer's answer
to the question of the same id, else a computed value of that id (``sow_prefill.prefill``). The
engagement page shows each fact the same way, so a fact the customer answered is not shown
blank while the SoW fills it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaire.engine import FlowResult
from questionnaire.engine.answers import display
from questionnaire.engine.model import Question
from sow_prefill.prefill import FACTS

#: The facts an engineer records: those the SoW templates read, bar the two an engagement holds
#: as columns (customer and project).
EDITABLE = {key: label for key, label in FACTS.items() if key not in ("customer", "project")}

EMPTY: tuple[Any, ...] = (None, "", [])


@dataclass(frozen=True)
class FactShown:
    key: str
    label: str
    #: What the engineer recorded ("" when nothing).
    recorded: str
    #: What the SoW will use, as text ("" when nothing: it shows a placeholder).
    used: str
    #: Where ``used`` comes from: ``engagement``, ``answer``, ``computed`` or ``None``.
    source: str | None


def facts_as_used(
    facts: Mapping[str, Any], flow: FlowResult | None, questions: Mapping[str, Question]
) -> list[FactShown]:
    return [_fact(key, label, facts, flow, questions) for key, label in EDITABLE.items()]


def _fact(
    key: str,
    label: str,
    facts: Mapping[str, Any],
    flow: FlowResult | None,
    questions: Mapping[str, Question],
) -> FactShown:
    recorded = facts.get(key)
    if recorded not in EMPTY:
        return FactShown(key, label, str(recorded), str(recorded), "engagement")
    if flow is not None and flow.answers.get(key) not in EMPTY:
        raw = flow.answers[key]
        question = questions.get(key)
        text = display(question, raw) if question is not None else str(raw)
        return FactShown(key, label, "", text, "answer")
    if flow is not None and flow.computed.get(key) not in EMPTY:
        raw = flow.computed[key]
        text = ("Yes" if raw else "No") if isinstance(raw, bool) else str(raw)
        return FactShown(key, label, "", text, "computed")
    return FactShown(key, label, "", "", None)
