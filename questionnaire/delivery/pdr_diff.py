"""What changed between two revisions of a PDR, value by value, in words an engineer reads.

Rows are told apart by their name (the first column), not their position, so removing the
first virtual service shows as one removal rather than every later row "changed".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .pdr import display_value
from .pdr_spec import TABLES, Table


@dataclass(frozen=True)
class Change:
    where: str  # "Virtual services / “web” / VIP"
    before: str  # "" when added
    after: str  # "" when removed

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        return "removed" if not self.after else "changed"


def diff(older: Mapping[str, Any], newer: Mapping[str, Any]) -> list[Change]:
    """Every value that differs, in the order the record lists them."""
    old, new = _flatten(older), _flatten(newer)
    keys = list(new) + [key for key in old if key not in new]
    return [
        Change(key, old.get(key, ""), new.get(key, ""))
        for key in keys
        if old.get(key, "") != new.get(key, "")
    ]


def _flatten(content: Mapping[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for table in TABLES:
        flat.update(_rows(table, content.get(table.key), table.title))
    return flat


def _rows(table: Table, rows: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if not isinstance(rows, list):
        return
    seen: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            continue
        name = display_value(table.columns[0], row.get(table.columns[0].key)) or f"#{position}"
        seen[name] = seen.get(name, 0) + 1
        label = f"“{name}”" if seen[name] == 1 else f"“{name}” ({seen[name]})"
        where = f"{prefix} / {label}"
        for column in table.columns:
            text = display_value(column, row.get(column.key))
            if text:
                yield f"{where} / {column.label}", text
        for child in table.children:
            yield from _rows(child, row.get(child.key), f"{where} / {child.title}")
