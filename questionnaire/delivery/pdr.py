"""The Project Detail Record's content: reading a row from a form, checking it, and the edits.

Content is plain JSON (what a revision stores): ``{table: [row, ...]}`` with the tables of
:mod:`.pdr_spec`; a virtual service's row holds its ``real_servers``. A row may carry
``_proposed``, ``{column: why}``: values that came from the SoW's proposals or the customer's
answers and that the engineer has not yet confirmed; saving the row confirms them.

A row is named by a :class:`Location`, written ``virtual_services.0.real_servers.2`` (``new``
for a row to add): what a form posts and what an error's path starts with.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import SimpleTypedQuestion

from .pdr_spec import BY_KEY, MAX_ROWS, PORTS, Column, Table

Content = dict[str, Any]
Row = dict[str, Any]
PROPOSED = "_proposed"
_PORT = SimpleTypedQuestion(id="port", label="Port", type="port")
_MAX_PORTS = 100
_STEP = re.compile(r"[a-z_]{1,40}")


class Refused(ValueError):
    """The location names no table or row (a forged or stale form): a 4xx, with this message."""


@dataclass(frozen=True)
class Location:
    """A table (nested tables through their parent rows) and a row of it, or ``None``: new."""

    tables: tuple[str, ...]
    parents: tuple[int, ...]  # the parent row of each nested table
    index: int | None

    @property
    def path(self) -> str:
        steps: list[str] = []
        for table, parent in zip(self.tables, (*self.parents, None), strict=True):
            steps.append(table)
            if parent is not None:
                steps.append(str(parent))
        return ".".join([*steps, "new" if self.index is None else str(self.index)])

    def table(self) -> Table:
        table = BY_KEY[self.tables[0]]
        for key in self.tables[1:]:
            child = table.child(key)
            assert child is not None  # parse_location checked it
            table = child
        return table


def empty() -> Content:
    return {key: [] for key in BY_KEY}


def parse_location(text: str) -> Location:
    """``virtual_services.0.real_servers.new`` → a Location; :class:`Refused` if malformed."""
    steps = text.split(".") if isinstance(text, str) and len(text) < 200 else []
    if len(steps) % 2 or not steps:
        raise Refused("That part of the record does not exist.")
    tables, numbers = steps[0::2], steps[1::2]
    table: Table | None = BY_KEY.get(tables[0])
    for key in tables[1:]:
        table = table.child(key) if table else None
    if table is None or not all(_STEP.fullmatch(step) for step in tables):
        raise Refused("That part of the record does not exist.")
    indexes = [_number(step) for step in numbers[:-1]]
    last = None if numbers[-1] == "new" else _number(numbers[-1])
    return Location(tuple(tables), tuple(indexes), last)


def _number(step: str) -> int:
    if not (step.isascii() and step.isdigit() and len(step) < 5):
        raise Refused("That part of the record does not exist.")
    return int(step)


def rows_at(content: Content, location: Location) -> list[Row]:
    """The list of rows the location's table is (made if missing); :class:`Refused` when a
    parent row does not exist (it was removed in a newer revision)."""
    rows: list[Row] = content.setdefault(location.tables[0], [])
    for key, parent in zip(location.tables[1:], location.parents, strict=True):
        if parent >= len(rows):
            raise Refused("That row is no longer in the record: it was removed.")
        rows = rows[parent].setdefault(key, [])
    return rows


def row_at(content: Content, location: Location) -> Row | None:
    rows = rows_at(content, location)
    if location.index is None:
        return None
    if location.index >= len(rows):
        raise Refused("That row is no longer in the record: it was removed.")
    return rows[location.index]


# -- reading a row from a form -------------------------------------------------------------------


def parse_row(table: Table, raw: Mapping[str, Any]) -> tuple[Row, dict[str, str]]:
    """The row's values (normalised, blanks left out) and a message per column refused."""
    row: Row = {}
    errors: dict[str, str] = {}
    for column in table.columns:
        value = parse_value(column, raw.get(column.key))
        if isinstance(value, Invalid):
            errors[column.key] = value.message
        elif value is None and column.required:
            errors[column.key] = f"Enter the {column.label.lower()}"
        elif value is not None:
            row[column.key] = value
    return row, errors


def parse_value(column: Column, raw: Any) -> Any:
    if raw is not None and not isinstance(raw, str):
        raw = form_value(column, raw)  # a stored value, checked again
    if column.question is None:
        return _ports(raw)
    return parse_answer(column.question, raw)


def _ports(raw: str | None) -> list[int] | Invalid | None:
    parts = [part.strip() for part in (raw or "").replace(";", ",").split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return None
    if len(parts) > _MAX_PORTS:
        return Invalid(f"Enter at most {_MAX_PORTS} ports")
    ports: list[int] = []
    for part in parts:
        port = parse_answer(_PORT, part)
        if isinstance(port, Invalid) or not isinstance(port, int):
            return Invalid("Enter ports between 1 and 65535, separated by commas, like 80, 443")
        if port not in ports:
            ports.append(port)
    return ports


def display_value(column: Column, value: Any) -> str:
    """A stored value as the text a form shows and a document prints."""
    if value is None:
        return ""
    if column.key == PORTS and isinstance(value, list):
        return ", ".join(str(port) for port in value)
    for choice in column.choices:
        if choice.value == value:
            return choice.label
    return str(value)


def form_value(column: Column, value: Any) -> str:
    """A stored value as its form control holds it (a choice by its value, not its label)."""
    if column.choices:
        return "" if value is None else str(value)
    return display_value(column, value)


# -- edits: each returns new content, the old is left as it was --------------------------------


def put_row(content: Content, location: Location, row: Row) -> tuple[Content, str]:
    """Add the row (a new location) or replace it, confirming its proposals; with a note."""
    changed = copy.deepcopy(content)
    rows = rows_at(changed, location)
    table = location.table()
    kept = {child.key: value for child in table.children
            if (value := (row_at(changed, location) or {}).get(child.key))}  # fmt: skip
    if location.index is None:
        if len(rows) >= MAX_ROWS:
            raise Refused(f"A table holds at most {MAX_ROWS} rows.")
        rows.append({**row, **kept})
        return changed, f"Added {table.item} {_name(table, row)}"
    rows[location.index] = {**row, **kept}
    return changed, f"Changed {table.item} {_name(table, row)}"


def remove_row(content: Content, location: Location) -> tuple[Content, str]:
    changed = copy.deepcopy(content)
    old = row_at(changed, location)
    if old is None:
        raise Refused("Choose a row to remove.")
    rows = rows_at(changed, location)
    del rows[location.index or 0]
    table = location.table()
    return changed, f"Removed {table.item} {_name(table, old)}"


def _name(table: Table, row: Mapping[str, Any]) -> str:
    first = table.columns[0]
    value = row.get(first.key) or row.get("address") or ""
    return f"“{display_value(first, value)}”" if value else "(unnamed)"


# -- the whole record ----------------------------------------------------------------------------


def validate(content: Mapping[str, Any]) -> dict[str, str]:
    """Every problem in the content, by path (``virtual_services.0.vip``); empty when sound.

    Checks stored values as a form's would be (so content made elsewhere, from the SoW or a
    file, meets the same rules), and that names within a table are distinct (rows are told
    apart by them in diffs and documents)."""
    errors: dict[str, str] = {}
    for key, table in BY_KEY.items():
        _validate_rows(table, content.get(key), key, errors)
    return errors


def _validate_rows(table: Table, rows: Any, prefix: str, errors: dict[str, str]) -> None:
    if rows is None:
        return
    if not isinstance(rows, list):
        errors[prefix] = f"{table.title}: a list of rows"
        return
    if len(rows) > MAX_ROWS:
        errors[prefix] = f"{table.title}: at most {MAX_ROWS} rows"
        return
    seen: set[str] = set()
    for index, row in enumerate(rows):
        where = f"{prefix}.{index}"
        if not isinstance(row, dict):
            errors[where] = f"Each {table.item} needs its details"
            continue
        _, problems = parse_row(table, row)
        errors.update({f"{where}.{column}": message for column, message in problems.items()})
        name = str(row.get(table.columns[0].key, "")).strip().lower()
        if name and name in seen:
            errors[f"{where}.{table.columns[0].key}"] = f"Give each {table.item} its own name"
        seen.add(name)
        for child in table.children:
            _validate_rows(child, row.get(child.key), f"{where}.{child.key}", errors)
