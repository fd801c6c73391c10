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

This module is the command line, the run and its report; the rule cases and the comparison with
panzi are ``bench/engine_rules.py``, the timing ``bench/engine_timing.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import yaml

from questionnaire.engine import Questionnaire, evaluate, load_text

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_rules import (
    RuleCase,
    compare_speed,
    compare_truthiness,
    flow_calls,
    panzi_runner,
    rule_cases,
)
from bench.engine_timing import Timing, paired, timed
from bench.synthetic import (
    JSON,
    build_definition,
    load_or_explain,
)

TARGET_RATIO = 5.0
TARGET_LOAD_MS = 1000.0
TARGET_FIRST_SHARE = 5.0  # until-first must cost less than full flow / 5


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
