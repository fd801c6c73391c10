"""A new response's starting answers, from the facts recorded at the sales handover.

Each fact is parsed by its question's own parser, so what is stored is what the customer could
have typed; a fact that does not parse for its question (or breaks one of its constraints) is
left out, and the question starts blank. Pure: the web app, ``questionnaire simulate`` and the
path tests all start from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .answers import Invalid, parse_answer
from .compiled import Questionnaire
from .flow import evaluate
from .model import Question
from .types import JSON


def prefills(questionnaire: Questionnaire) -> Iterator[tuple[Question, str]]:
    """Each question that starts from a fact, with the fact's name, in document order. Only
    questions at the top level of a page: a repeating group's fields cannot (the linter says)."""
    for question in questionnaire.models.values():
        if question.prefill is not None:
            yield question, question.prefill


def starting_answers(questionnaire: Questionnaire, facts: Mapping[str, JSON]) -> dict[str, JSON]:
    """The answers a new response starts with, by question id, in their stored form.

    A question gets its fact's value when the fact is known (not blank), parses for the question,
    keeps to the question's constraints, and the question is shown when the questionnaire starts
    (one walk of the flow decides the last two: a value the customer would never see, or would
    be told is wrong before they typed anything, is not a starting value).
    """
    candidates: dict[str, JSON] = {}
    for question, fact in prefills(questionnaire):
        parsed = parse_answer(question, facts.get(fact))
        if parsed is not None and not isinstance(parsed, Invalid):
            candidates[question.id] = parsed
    if not candidates:
        return {}
    flow = evaluate(questionnaire, candidates, trusted=True)
    refused = {name for state in flow.pages.values() for name in state.problems}
    return {
        qid: value
        for qid, value in candidates.items()
        if qid in flow.answers and qid not in refused
    }
