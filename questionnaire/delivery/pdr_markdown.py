"""The PDR as Markdown: the text every export (PDF, DOCX, HTML, Markdown) is made from.

Each table becomes a Markdown table (the exporters lay one wider than the page out as a record
per row); a virtual service's real servers follow it under its own heading. Every value is
escaped, so text typed by an engineer or a customer always reads as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sow_prefill.markdown_text import escape

from .pdr import PROPOSED, display_value
from .pdr_spec import TABLES, Table

NOTHING = "None recorded."


def to_markdown(content: Mapping[str, Any], title: str, revision: int) -> str:
    parts = [f"# {escape(title)}", "", f"Revision {revision}.", "", *configuration(content)]
    return "\n".join(parts).rstrip() + "\n"


def configuration(content: Mapping[str, Any]) -> list[str]:
    """The record's tables and sections as Markdown lines, under level-two headings: the PDR's
    export and the customer handover document (the configuration as built) alike."""
    parts: list[str] = []
    for table in TABLES:
        if table.key == "sections":
            continue
        parts += [f"## {table.title}", "", *_table(table, content.get(table.key)), ""]
        if table.children:
            parts += _children(table, content.get(table.key))
    for section in _list(content.get("sections")):
        parts += [f"## {escape(section.get('title', ''))}", ""]
        text = str(section.get("text", ""))
        parts += [escape(line) for line in text.splitlines() if line.strip()] or [NOTHING]
        parts.append("")
    return parts


def _list(rows: Any) -> list[dict[str, Any]]:
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _table(table: Table, rows: Any) -> list[str]:
    found = _list(rows)
    if not found:
        return [NOTHING]
    lines = [
        "| " + " | ".join(column.label for column in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    for row in found:
        proposed = row.get(PROPOSED) or {}
        cells = [
            escape(display_value(column, row.get(column.key)))
            + (" (proposed)" if column.key in proposed else "")
            for column in table.columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _children(table: Table, rows: Any) -> list[str]:
    parts: list[str] = []
    first = table.columns[0]
    for row in _list(rows):
        name = escape(display_value(first, row.get(first.key)))
        for child in table.children:
            parts += [f"### {child.title} of {name}", "", *_table(child, row.get(child.key)), ""]
    return parts
