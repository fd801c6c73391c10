"""The rules of ``bench/engine.py``'s definition against the baseline interpreter.

Every rule of the definition as a :class:`RuleCase` with the data it is evaluated on
(:func:`rule_cases`: the full data, constraints also see ``value``, group rules ``item``), or
every rule the flow really evaluates, recorded with a snapshot of its data (:func:`flow_calls`).
Each case is run through both engines: :func:`compare_truthiness` splits the cases by whether
ours and ``panzi-json-logic`` agree, and :func:`compare_speed` times the two on the same
cases, one rule per call on both sides (ours is each compiled rule's ``holds(data)``, exactly
as the flow calls it), interleaved sample by sample.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import json_logic
from json_logic.builtins import to_bool

from bench.engine_timing import Pair, paired
from bench.synthetic import JSON
from questionnaire.engine import Questionnaire, evaluate
from questionnaire.engine.compiled import CompiledQuestion
from questionnaire.engine.logic import CompiledRule, is_unanswered, logic_data, truthy

#: Rule evaluations per timed sample of either side (whole passes over the rules).
EVALUATIONS_PER_SAMPLE = 5000


@dataclass(frozen=True)
class RuleCase:
    kind: str
    rule: CompiledRule
    data: dict[str, JSON]


def full_data(questionnaire: Questionnaire, answers: Mapping[str, JSON]) -> dict[str, JSON]:
    """``logic_data(answers)`` plus the computed values of the full flow."""
    computed = evaluate(questionnaire, answers).computed
    extra = {k: v for k, v in computed.items() if not is_unanswered(v)}
    return {**logic_data(answers), **extra}


def rule_cases(questionnaire: Questionnaire, answers: Mapping[str, JSON]) -> list[RuleCase]:
    """Every rule of the definition; constraints also see ``value``, group rules ``item``."""
    base = full_data(questionnaire, answers)
    cases = [RuleCase("computed", c.rule, base) for c in questionnaire.computed]
    for page in questionnaire.pages.values():
        cases += [RuleCase("edge", e.condition, base) for e in page.edges if e.condition]
        cases += [RuleCase("note", n.show_if, base) for n in page.notes if n.show_if]
        for question in page.questions:
            cases += _question_cases(question, base, answers)
    return cases


def _question_cases(
    cq: CompiledQuestion, base: dict[str, JSON], answers: Mapping[str, JSON]
) -> Iterator[RuleCase]:
    yield from _own_cases(cq, base, {**base, "value": answers.get(cq.id)})
    records = answers.get(cq.id) if cq.items else None
    if records:
        item_data = {**base, "item": records[0]}
        for item in cq.items:
            yield from _own_cases(item, item_data, {**item_data, "value": records[0].get(item.id)})


def _own_cases(
    cq: CompiledQuestion, data: dict[str, JSON], with_value: dict[str, JSON]
) -> Iterator[RuleCase]:
    for kind, rule in (("show_if", cq.show_if), ("required_if", cq.required_if)):
        if rule is not None:
            yield RuleCase(kind, rule, data)
    for constraint in cq.constraints:
        yield RuleCase("constraint", constraint.rule, with_value)
    for note in cq.notes:
        if note.show_if is not None:
            yield RuleCase("note", note.show_if, data)
    for choice in cq.choices:
        if choice.show_if is not None:
            yield RuleCase("choice", choice.show_if, data)


@dataclass
class Agreement:
    agreeing: list[RuleCase] = field(default_factory=list)
    disagreeing: list[tuple[RuleCase, str]] = field(default_factory=list)


def compare_truthiness(cases: list[RuleCase]) -> Agreement:
    """Split ``cases`` by whether both engines give the same truthiness (panzi errors count)."""
    result = Agreement()
    for case in cases:
        ours = truthy(case.rule.evaluate(case.data))
        try:
            theirs: JSON = to_bool(json_logic.jsonLogic(case.rule.source, case.data))
        except Exception as exc:  # the interpreter raises on some operand types
            theirs = f"error: {exc}"
        if theirs == ours:
            result.agreeing.append(case)
        else:
            result.disagreeing.append((case, f"ours {ours}, panzi {theirs}"))
    return result


def ours_runner(cases: list[RuleCase]) -> Callable[[], None]:
    """Our side: each case's compiled rule, ``holds(data)``."""
    pairs = [(case.rule, case.data) for case in cases]  # the same loop shape as the baseline's

    def run() -> None:
        for rule, data in pairs:
            rule.holds(data)

    return run


def panzi_runner(cases: list[RuleCase]) -> Callable[[], None]:
    """The baseline: ``json_logic.jsonLogic(rule, data)`` for the same rule source and data."""
    pairs = [(case.rule.source, case.data) for case in cases]
    apply = json_logic.jsonLogic

    def run() -> None:
        for rule, data in pairs:
            to_bool(apply(rule, data))

    return run


def compare_speed(cases: list[RuleCase], repeat: int) -> Pair:
    """Ours against panzi on ``cases``, both making :data:`EVALUATIONS_PER_SAMPLE` per sample.

    A request evaluates each of its rules once, after other work, so the first, colder pass
    after the other side ran is kept at a fixed share of each sample: samples are not
    lengthened to hide it as our side gets faster.
    """
    number = max(1, EVALUATIONS_PER_SAMPLE // max(1, len(cases)))
    return paired(ours_runner(cases), panzi_runner(cases), repeat, number)


@contextmanager
def recording(calls: list[RuleCase]) -> Iterator[None]:
    """Record every rule the flow evaluates, with a snapshot of the data it saw.

    The flow calls both ``holds`` (conditions) and ``evaluate`` (computed values); neither calls
    the other, so each evaluation is recorded once. ``CompiledRule`` has ``__slots__``, so the
    spies replace the methods on the class.
    """
    originals = {"holds": CompiledRule.holds, "evaluate": CompiledRule.evaluate}

    def spying(name: str) -> Callable[[CompiledRule, JSON], JSON]:
        original = originals[name]

        def spy(self: CompiledRule, data: JSON) -> JSON:
            calls.append(RuleCase("flow", self, copy.deepcopy(dict(data))))
            return original(self, data)

        return spy

    try:
        for name in originals:
            setattr(CompiledRule, name, spying(name))
        yield
    finally:
        for name, original in originals.items():
            setattr(CompiledRule, name, original)


def flow_calls(questionnaire: Questionnaire, answers: Mapping[str, JSON]) -> list[RuleCase]:
    calls: list[RuleCase] = []
    with recording(calls):
        evaluate(questionnaire, answers)
    return calls
