"""CLI start-up benchmark: ``questionnaire lint`` of a one-question file, against ``python -c pass``.

Run ``.venv/bin/python bench/cli_start.py [--runs 20] [--warmup 3] [--json]``.

What an author waits for is mostly start-up: the interpreter, then the imports. Each command runs
as a fresh process, as hyperfine would run it: ``--warmup`` untimed runs of each, then ``--runs``
rounds that run every command once, in turn, so load on the machine touches them alike. Rows:

- **python -c pass**: the baseline, the interpreter alone (the same one the console script uses).
- **lint one question**: ``questionnaire lint one.yaml`` through the installed console script.
- **serve --help** (for information): lists the app commands' options, so it imports Flask,
  SQLAlchemy and the web app: what every command paid before they were loaded lazily.

Reported: median, best and worst wall time per command, lint's cost over the baseline (median of
the rounds' differences), and ``lint / baseline`` (median of the rounds' ratios). Target: lint
under 0.3 s on a quiet machine. Benchmarks report; they never fail the build.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

TARGET_SECONDS = 0.3
BASELINE, LINT = "python -c pass", "lint one question"
ONE_QUESTION = """\
id: one
title: One question
version: "1.0"
pages:
  - id: about
    title: About you
    questions:
      - id: organisation
        type: text
        label: Organisation name
    next: review
"""


@dataclass(frozen=True)
class Row:
    name: str
    median_ms: float
    best_ms: float
    worst_ms: float


def commands(folder: Path) -> dict[str, list[str]]:
    script = str(Path(sys.executable).parent / "questionnaire")
    return {
        BASELINE: [sys.executable, "-c", "pass"],
        LINT: [script, "lint", str(folder / "one.yaml")],
        "serve --help": [script, "serve", "--help"],
    }


def run_once(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed


def measure(runs: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per run for each command, rounds interleaved after the warm-up."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)  # an empty folder: no templates/ for lint to pick up
        (folder / "one.yaml").write_text(ONE_QUESTION, encoding="utf-8")
        todo = commands(folder)
        for _ in range(warmup):
            for command in todo.values():
                run_once(command, folder)
        samples: dict[str, list[float]] = {name: [] for name in todo}
        for _ in range(runs):
            for name, command in todo.items():
                samples[name].append(run_once(command, folder))
    return samples


@dataclass(frozen=True)
class Result:
    rows: list[Row]
    lint_over_baseline_ms: float
    ratio: float
    runs: int
    target_ms: float = TARGET_SECONDS * 1e3

    @property
    def passed(self) -> bool:
        lint = next(row for row in self.rows if row.name == LINT)
        return lint.median_ms < self.target_ms


def summarise(samples: dict[str, list[float]]) -> Result:
    rows = [
        Row(name, statistics.median(s) * 1e3, min(s) * 1e3, max(s) * 1e3)
        for name, s in samples.items()
    ]
    pairs = list(zip(samples[LINT], samples[BASELINE], strict=True))
    return Result(
        rows,
        lint_over_baseline_ms=statistics.median(lint - base for lint, base in pairs) * 1e3,
        ratio=statistics.median(lint / base for lint, base in pairs),
        runs=len(pairs),
    )


def report(result: Result) -> None:
    print(f"{'command':<20} {'median ms':>10} {'best ms':>9} {'worst ms':>9}")
    for row in result.rows:
        print(f"{row.name:<20} {row.median_ms:>10.1f} {row.best_ms:>9.1f} {row.worst_ms:>9.1f}")
    print()
    print(f"lint costs {result.lint_over_baseline_ms:.1f} ms over the bare interpreter")
    print(f"ratio lint / python -c pass: {result.ratio:.2f}")
    print(f"{'PASS' if result.passed else 'FAIL'}  lint median < {result.target_ms:.0f} ms")
    print(f"({result.runs} interleaved rounds after a warm-up; each run a fresh process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = summarise(measure(args.runs, args.warmup))
    if args.json:
        print(json.dumps({**asdict(result), "passed": result.passed}, indent=2))
    else:
        report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
