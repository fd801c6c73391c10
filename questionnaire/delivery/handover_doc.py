"""The customer handover document as Markdown: "the TRUTH of what is installed".

The configuration as built is the PDR's latest revision, written by ``pdr_markdown`` (the same
tables as the PDR's own export, so the two can never disagree), followed by the functional tests:
a table per virtual service and GSLB configuration, agreed ones first. Every value is escaped,
so what an engineer types always reads as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sow_prefill.markdown_text import escape

from .handover_checklist import PASS, Target
from .pdr_markdown import configuration

HEADINGS = ("What was tested", "Expected result", "Actual result", "Result", "Date", "Evidence")


@dataclass(frozen=True)
class Recorded:
    """A functional test as the document prints it."""

    target: Target
    what_tested: str
    expected: str
    actual: str
    outcome: str
    tested_on: date
    evidence: str | None  # the evidence file's name, if one was kept


@dataclass(frozen=True)
class Issue:
    """What the document is: its title, its number, the PDR revision, the day of issue."""

    title: str
    number: int
    pdr_revision: int
    issued_on: date


def to_markdown(
    issue: Issue, pdr: Mapping[str, Any], agreed: Sequence[Target], tests: Iterable[Recorded]
) -> str:
    parts = [
        f"# {escape(issue.title)}",
        "",
        f"Issue {issue.number}, {issue.issued_on.isoformat()}: the configuration as built, from "
        f"revision {issue.pdr_revision} of the Project Detail Record, and its functional tests.",
        "",
        *configuration(pdr),
        "## Functional tests",
        "",
        *_tests(agreed, list(tests)),
    ]
    return "\n".join(parts).rstrip() + "\n"


def _tests(agreed: Sequence[Target], tests: list[Recorded]) -> list[str]:
    targets = {target.key: target for target in agreed}
    for test in tests:
        targets.setdefault(test.target.key, test.target)
    if not targets:
        return ["None recorded."]
    agreed_keys = {target.key for target in agreed}
    parts: list[str] = []
    for key, target in targets.items():
        note = " (agreed in the SoW)" if key in agreed_keys else ""
        parts += [f"### {escape(target.label)}{note}", ""]
        mine = sorted((t for t in tests if t.target.key == key), key=lambda t: t.tested_on)
        parts += _table(mine) if mine else ["No test recorded."]
        parts.append("")
    return parts


def _table(tests: Sequence[Recorded]) -> list[str]:
    lines = ["| " + " | ".join(HEADINGS) + " |", "|" + "---|" * len(HEADINGS)]
    for test in tests:
        cells = [
            escape(test.what_tested),
            escape(test.expected),
            escape(test.actual),
            "Pass" if test.outcome == PASS else "Fail",
            test.tested_on.isoformat(),
            escape(test.evidence) if test.evidence else "None",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
