"""The flow's view beside a previewed page: what the engine decided, and why, in words.

Everything here is read from the one flow the page was rendered from (``FlowResult``): the
path, the pages skipped, the computed values, the questions of this page it did not show and
the answers it would drop if the response were submitted now. Conditions are written by
:func:`questionnaire.engine.describe.describe`, with the definition's option labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from questionnaire.engine import REVIEW, FlowResult, Severity
from questionnaire.engine.compiled import Questionnaire
from questionnaire.engine.describe import Words, describe
from questionnaire.engine.types import JSON


@dataclass(frozen=True)
class Step:
    page_id: str
    title: str
    current: bool
    complete: bool


@dataclass(frozen=True)
class Reasoned:
    """Something the flow left out (a question, a page, an answer) and why."""

    name: str
    label: str
    reason: str


@dataclass(frozen=True)
class Value:
    name: str
    value: str
    description: str | None = None


@dataclass(frozen=True)
class Panel:
    path: tuple[Step, ...]
    skipped: tuple[Reasoned, ...]
    computed: tuple[Value, ...]
    hidden: tuple[Reasoned, ...]
    dropped: tuple[Reasoned, ...]
    warnings: tuple[str, ...]
    on_review: bool


def panel(q: Questionnaire, flow: FlowResult, page_id: str) -> Panel:
    """The flow's view for page ``page_id`` (or the review, :data:`REVIEW`)."""
    words = Words.of(q.definition)
    return Panel(
        path=tuple(
            Step(p, flow.pages[p].title, p == page_id, flow.pages[p].complete) for p in flow.path
        ),
        skipped=tuple(
            Reasoned(p, q.pages[p].page.title, _asked_if(q.pages[p].page.show_if, words))
            for p in flow.skipped
        ),
        computed=_computed(q, flow),
        hidden=() if page_id == REVIEW else _hidden(q, flow, page_id, words),
        dropped=tuple(Reasoned(d.question, _json(d.value), d.reason) for d in flow.dropped),
        warnings=tuple(d.format() for d in q.warnings if d.severity is Severity.WARNING),
        on_review=page_id == REVIEW,
    )


def _hidden(q: Questionnaire, flow: FlowResult, page_id: str, words: Words) -> tuple[Reasoned, ...]:
    """The page's questions the flow did not show, each with its reason."""
    shown = {s.id for s in flow.pages[page_id].questions}
    hidden = []
    for cq in q.pages[page_id].questions:
        if cq.id in shown:
            continue
        question = cq.question
        if question.show_if is not None:
            reason = _asked_if(question.show_if, words)
        elif question.hidden:
            value = flow.answers.get(cq.id)
            reason = f"a hidden field: never asked, it carries {_json(value)} into the answers"
        else:
            reason = "not shown"
        hidden.append(Reasoned(cq.id, question.label, reason))
    return tuple(hidden)


def _asked_if(condition: object, words: Words) -> str:
    return f"asked only if {describe(condition, words)}, which does not hold"


def _computed(q: Questionnaire, flow: FlowResult) -> tuple[Value, ...]:
    descriptions = {c.id: c.description for c in q.definition.computed}
    return tuple(
        Value(name, _json(value), descriptions.get(name)) for name, value in flow.computed.items()
    )


def _json(value: JSON) -> str:
    """A value as an author wrote it in YAML or JSON (``null``: unanswered)."""
    return json.dumps(value, ensure_ascii=False, default=str)
