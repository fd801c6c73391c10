"""Engine benchmark: load + lint, the flow, and our compiled conditions against an interpreter.

Run ``.venv/bin/python bench/engine.py [--questions 1000] [--repeat N] [--json]``.

A synthetic definition (a profile page every path passes, main pages with conditional edges to
branch pages that rejoin, computed values steering later edges) is built as a dict with
``random.Random(42)``, dumped to YAML and loaded. Conditions are generated together with the
answers, so the generator knows which of them hold: most pages are on the path and most
questions are visible. Each number is the median of ``--repeat`` timed runs after a warm-up
(half as many, at least 3, for load + lint). The baseline, ``panzi-json-logic`` (a plain
per-call interpreter), runs in the same process, interleaved with our side sample by sample,
so ratios stay meaningful on a noisy machine; in a sample both sides make the same number of
passes over the rules (about 5,000 evaluations). Both sides evaluate one rule per call: ours is
each compiled rule's ``holds(data)``, exactly as the flow calls it. Benchmarks report; they
never fail the build.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import json_logic
import yaml
from json_logic.builtins import to_bool

from questionnaire.engine import Questionnaire, evaluate, load_text
from questionnaire.engine.compiled import CompiledQuestion
from questionnaire.engine.logic import CompiledRule, is_unanswered, logic_data, truthy

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import (
    JSON,
    build_definition,
    load_or_explain,
)

TARGET_RATIO = 5.0
TARGET_LOAD_MS = 1000.0
TARGET_FIRST_SHARE = 5.0  # until-first must cost less than full flow / 5

#: Rule evaluations per timed sample of either side (whole passes over the rules).
EVALUATIONS_PER_SAMPLE = 5000

# -- timing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and the best of the timed samples (after one warm-up)."""

    median: float
    best: float

    @classmethod
    def of(cls, samples: list[float]) -> Timing:
        return cls(statistics.median(samples), min(samples))


def _sample(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def timed(fn: Callable[[], object], repeat: int, number: int = 1) -> Timing:
    fn()  # warm-up
    return Timing.of([_sample(fn, number) for _ in range(repeat)])


@dataclass(frozen=True)
class Pair:
    ours: Timing
    baseline: Timing
    #: The median of baseline/ours over samples taken back to back, so both see the same noise.
    ratio: float
    #: How many times each side ran per sample.
    passes: int


def paired(
    ours: Callable[[], object], baseline: Callable[[], object], repeat: int, number: int
) -> Pair:
    """Time two functions interleaved: each sample runs one, then the other."""
    ours(), baseline()  # warm-up
    mine, theirs = [], []
    for _ in range(repeat):
        mine.append(_sample(ours, number))
        theirs.append(_sample(baseline, number))
    ratio = statistics.median(t / m for m, t in zip(mine, theirs, strict=True))
    return Pair(Timing.of(mine), Timing.of(theirs), ratio, number)


# -- the rules of the definition, with the data each is evaluated on ------------------------------


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


# -- the run --------------------------------------------------------------------------------------


def run(questions: int, repeat: int) -> dict[str, JSON]:
    synthetic = build_definition(questions)
    text = yaml.safe_dump(synthetic.doc, sort_keys=False)
    questionnaire = load_or_explain(text)
    answers = synthetic.answers
    result: dict[str, JSON] = {
        "questions": len(questionnaire.questions),
        "yaml_kb": round(len(text) / 1024),
    }
    result |= time_load_and_flow(text, questionnaire, answers, repeat)
    result |= time_rules(questionnaire, answers, repeat)
    result |= time_flow_rules(questionnaire, answers, repeat)
    result["targets"] = targets(result)
    return result


def ms(timing: Timing) -> float:
    return round(timing.median * 1000, 3)


def time_load_and_flow(
    text: str, questionnaire: Questionnaire, answers: Mapping[str, JSON], repeat: int
) -> dict[str, JSON]:
    load = timed(lambda: load_text(text, "bench.yaml"), max(3, repeat // 2))
    full = evaluate(questionnaire, answers)
    path = full.path
    marks = {"first": path[0], "middle": path[len(path) // 2], "last": path[-1]}
    result: dict[str, JSON] = {
        "pages": len(questionnaire.pages),
        "path_pages": len(path),
        "visible_questions": sum(len(full.pages[p].questions) for p in path),
        "answers": len(answers),
        "dropped": len(full.dropped),
        "load_lint_ms": ms(load),
        "load_lint_best_ms": round(load.best * 1000, 3),
        "full_flow_ms": ms(timed(lambda: evaluate(questionnaire, answers), repeat)),
    }
    for mark, page in marks.items():
        timing = timed(partial(evaluate, questionnaire, answers, until=page), repeat)
        result[f"until_{mark}_ms"] = ms(timing)
        result[f"until_{mark}_page"] = page
    return result


def time_rules(
    questionnaire: Questionnaire, answers: Mapping[str, JSON], repeat: int
) -> dict[str, JSON]:
    cases = rule_cases(questionnaire, answers)
    agreement = compare_truthiness(cases)
    compared = agreement.agreeing
    speed = compare_speed(compared, repeat)
    per_rule = 1e6 / max(1, len(compared))
    return {
        "rules": len(cases),
        "rules_true": sum(case.rule.holds(case.data) for case in cases),
        "rules_by_kind": _count_kinds(cases),
        "disagreements": len(agreement.disagreeing),
        "disagreement_examples": [
            {"kind": case.kind, "rule": case.rule.source, "result": why}
            for case, why in agreement.disagreeing[:5]
        ],
        "rules_compared": len(compared),
        "ours_us_per_rule": round(speed.ours.median * per_rule, 3),
        "baseline_us_per_rule": round(speed.baseline.median * per_rule, 3),
        "ratio": round(speed.ratio, 2),
        "passes_per_sample": speed.passes,
    }


def _count_kinds(cases: list[RuleCase]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in cases:
        counts[case.kind] = counts.get(case.kind, 0) + 1
    return counts


def time_flow_rules(
    questionnaire: Questionnaire, answers: Mapping[str, JSON], repeat: int
) -> dict[str, JSON]:
    """The flow's own rule evaluations, replayed through both engines, and against the flow."""
    calls = flow_calls(questionnaire, answers)
    agreement = compare_truthiness(calls)
    # Only the calls both engines agree on are replayed: panzi has no date operators
    # (days_between, ...), and leaving ours out of its side makes the flow ratio no kinder.
    replayed = agreement.agreeing
    rules = compare_speed(replayed, repeat)
    flow = paired(lambda: evaluate(questionnaire, answers), panzi_runner(replayed), repeat, 1)
    return {
        "flow_rule_calls": len(calls),
        "flow_disagreements": len(agreement.disagreeing),
        "flow_rules_ours_ms": ms(rules.ours),
        "flow_rules_baseline_ms": ms(rules.baseline),
        "flow_rules_ratio": round(rules.ratio, 2),
        "flow_rules_share": round(rules.ours.median / flow.ours.median, 3),
        "flow_ratio": round(flow.ratio, 2),
    }


def targets(result: Mapping[str, JSON]) -> dict[str, bool]:
    return {
        "ratio>=5": result["ratio"] >= TARGET_RATIO,
        "load+lint<1000ms": result["load_lint_ms"] < TARGET_LOAD_MS,
        "until_first<full/5": result["until_first_ms"]
        < result["full_flow_ms"] / TARGET_FIRST_SHARE,
    }


# -- output ---------------------------------------------------------------------------------------


#: (name, value, what it is), formatted with the result's fields.
ROWS = (
    ("questions", "{questions}", "top-level questions; YAML {yaml_kb} KB"),
    ("pages", "{pages}", "{path_pages} on the path of the answers"),
    ("answers", "{answers}", "{visible_questions} questions visible on the path, {dropped} dropped"),
    ("rules", "{rules}", "{kinds}"),
    ("rules true", "{rules_true}", "rules that hold on the full data"),
    ("load+lint ms", "{load_lint_ms:.1f}", "load_text: YAML, schema, lint, compile (best {load_lint_best_ms:.1f})"),
    ("full flow ms", "{full_flow_ms:.2f}", "evaluate(questionnaire, answers)"),
    ("until first ms", "{until_first_ms:.3f}", "until='{until_first_page}'"),
    ("until middle ms", "{until_middle_ms:.3f}", "until='{until_middle_page}'"),
    ("until last ms", "{until_last_ms:.3f}", "until='{until_last_page}'"),
    ("disagreements", "{disagreements}", "rules whose truthiness differs between engines (excluded)"),
    ("ours µs/rule", "{ours_us_per_rule:.2f}", "compiled.holds(data), the {rules_compared} rules both agree on"),
    ("baseline µs/rule", "{baseline_us_per_rule:.2f}", "json_logic.jsonLogic(rule, data): same rules, same data"),
    ("ratio", "{ratio:.2f}x", "baseline / ours, median of paired samples of {passes_per_sample} passes (target >= 5)"),
    ("flow rule calls", "{flow_rule_calls}", "rule evaluations in one full flow ({flow_disagreements} disagree)"),
    ("flow rules ours ms", "{flow_rules_ours_ms:.2f}", "those calls alone, replayed through our compiled rules"),
    ("flow rules base ms", "{flow_rules_baseline_ms:.2f}", "those calls alone, through panzi (same data snapshots)"),
    ("flow rules ratio", "{flow_rules_ratio:.2f}x", "baseline / ours on the flow's calls"),
    ("flow rules share", "{flow_rules_share:.0%}", "share of our full flow spent evaluating rules"),
    ("flow ratio", "{flow_ratio:.2f}x", "panzi time for the flow's rules / our WHOLE flow (rules and the rest)"),
)  # fmt: skip


def table_rows(result: Mapping[str, JSON]) -> list[tuple[str, str, str]]:
    """(name, value, what it is) for the printed table."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in result["rules_by_kind"].items())
    fields = {**result, "kinds": kinds}
    return [(name, value.format(**fields), what.format(**fields)) for name, value, what in ROWS]


def print_table(result: Mapping[str, JSON]) -> None:
    rows = table_rows(result)
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    for name, value, what in rows:
        print(f"{name:<{width}}  {value:>{value_width}}  {what}")
    for example in result["disagreement_examples"]:
        print(f"  disagreement: {example}")
    print()
    for target, ok in result["targets"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {target}")
    print("(medians of timed runs after a warm-up; ratios pair back-to-back samples of both sides)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000, help="about how many questions")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.questions, max(1, args.repeat))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
