"""The scheduling core is pure: no web, no database, no files or network, no clock.

Feeds arrive as bytes and "now" as an argument, so every result depends on its inputs alone;
an allow-list of imports keeps it so (a new import has to be added here, on purpose).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "questionnaire" / "scheduling"
ALLOWED = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "math",
    "re",
    "typing",
    "zoneinfo",
    "icalendar",
    "recurring_ical_events",
    "dateutil",
}
CLOCKS = {
    "now",
    "utcnow",
    "today",
    "monotonic",
    "perf_counter",
    "time_ns",
}  # as methods: datetime.now()


def test_the_package_imports_only_what_a_pure_core_needs() -> None:
    imported: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                imported.setdefault(name.split(".")[0], set()).add(path.name)
    assert set(imported) - ALLOWED == set(), {
        name: imported[name] for name in set(imported) - ALLOWED
    }


def test_the_package_never_reads_the_clock_or_opens_a_file() -> None:
    calls = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                function = node.func
                if isinstance(function, ast.Attribute) and function.attr in CLOCKS | {
                    "open",
                    "read_bytes",
                    "read_text",
                }:
                    calls.append(f"{path.name}:{node.lineno} {function.attr}")
                elif isinstance(function, ast.Name) and function.id == "open":
                    calls.append(f"{path.name}:{node.lineno} open")
    assert calls == []
