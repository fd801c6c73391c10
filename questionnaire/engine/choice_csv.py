"""Choice lists read from a CSV file beside the definition: ``cities: {csv: cities.csv}``.

The file has a header row with ``value`` and ``label`` (and optionally ``hint``); every other
column becomes a key of each option, which a ``choice_filter`` reads (``option.country``). The
file is read when the definition loads, relative to the definition's folder and never outside
it, and is refused with a located message when it is missing, too large, malformed or holds a
value twice. The lists are replaced by their options before the schema sees the definition, so
everything downstream sees ordinary options; the file's bytes are part of the definition's
identity (:attr:`~.source.Source.files`), so a changed file is a new version.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Any

from .diagnostics import Diagnostic
from .source import Source

KEY = "csv"
MAX_ROWS = 5_000
MAX_BYTES = 1_000_000
_VALUE = re.compile(r"^[A-Za-z0-9_.:+/-]{1,100}$")
_COLUMN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\.csv$")


class _Refused(Exception):
    """A problem with one file; ``line`` is a line of the CSV file, or None for the file itself."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def lists_schema(schema: dict[str, Any]) -> None:
    """Let editors accept a list read from a file as well as options written inline."""
    patterns = schema.get("patternProperties") or {}
    from_file = {
        "type": "object",
        "properties": {
            KEY: {
                "type": "string",
                "pattern": _NAME.pattern,
                "description": "A CSV file in the definition's folder: columns value, label, "
                "optionally hint, and any others as option keys.",
            }
        },
        "required": [KEY],
        "additionalProperties": False,
    }
    for pattern, inline in patterns.items():
        patterns[pattern] = {"anyOf": [inline, from_file]}


def expand(source: Source) -> list[Diagnostic]:
    """Replace each ``{csv: file}`` list in ``source`` with the file's options; every problem
    found (the lists that fail stay as they are)."""
    lists = source.value.get("choice_lists") if isinstance(source.value, dict) else None
    if not isinstance(lists, dict):
        return []
    problems: list[Diagnostic] = []
    expanded = dict(lists)
    for name, entry in lists.items():
        if not (isinstance(entry, dict) and KEY in entry):
            continue
        where = ("choice_lists", name, KEY)
        try:
            path = _located(entry, FilePath(source.name).parent)
            data = _read(path)
            options = list(_options(data))
        except _Refused as refused:
            problems.append(_diagnostic(source, where, entry, refused))
            continue
        source.files[str(entry[KEY])] = data
        expanded[name] = options
        position = source.position(where)
        for i, option in enumerate(options):
            for part in ((i,), *((i, key) for key in option)):
                source.positions.setdefault(("choice_lists", name, *part), position)
    source.value = {**source.value, "choice_lists": expanded}
    return problems


def _diagnostic(
    source: Source, where: tuple[str, ...], entry: Any, refused: _Refused
) -> Diagnostic:
    if refused.line is None:
        return source.diagnostic(where, refused.message)
    file = str(FilePath(source.name).parent / str(entry[KEY]))
    return Diagnostic(file, refused.line, 1, refused.message, where=".".join(where))


def _located(entry: dict[str, Any], folder: FilePath) -> FilePath:
    name = entry[KEY]
    if set(entry) != {KEY}:
        others = ", ".join(sorted(str(k) for k in entry if k != KEY))
        raise _Refused(
            f"a list read from a file is written {{csv: file.csv}} alone (also given: {others})"
        )
    if not isinstance(name, str) or not _NAME.match(name):
        raise _Refused(
            f"'csv' names a .csv file in the definition's folder (letters, digits, _ . -), "
            f"not {name!r}"
        )
    path = folder / name
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    if not inside:
        raise _Refused(f"'{name}' is outside the definition's folder")
    return path


def _read(path: FilePath) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _Refused(f"choice list file '{path.name}' not found beside the definition") from None
    except OSError as exc:
        raise _Refused(f"cannot read '{path.name}': {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise _Refused(f"'{path.name}' is larger than {MAX_BYTES // 1_000_000} MB")
    return data


def _options(data: bytes) -> Iterator[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(f"the file is not UTF-8 text (byte {exc.start + 1})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise _Refused(
                "the file is empty: the first line names the columns (value,label,...)", 1
            )
        columns = _columns([h.strip() for h in header])
        yield from _rows(reader, columns)
    except csv.Error as exc:
        raise _Refused(f"not valid CSV: {exc}", reader.line_num) from None


def _columns(header: list[str]) -> list[str]:
    for needed in ("value", "label"):
        if needed not in header:
            raise _Refused(
                f"the first line must name a '{needed}' column (found: {', '.join(header)})", 1
            )
    seen: set[str] = set()
    for column in header:
        if not _COLUMN.match(column):
            raise _Refused(
                f"column '{column}' must be lower-case letters, digits and underscores", 1
            )
        if column in seen:
            raise _Refused(f"column '{column}' is named twice", 1)
        seen.add(column)
    if "show_if" in seen:
        raise _Refused("a CSV list cannot hold conditions: filter it with choice_filter", 1)
    return header


def _rows(reader: Any, columns: list[str]) -> Iterator[dict[str, Any]]:
    first_line: dict[str, int] = {}
    for count, row in enumerate(reader, start=1):
        line = reader.line_num
        if count > MAX_ROWS:
            raise _Refused(
                f"more than {MAX_ROWS:,} options: a list this long belongs elsewhere", line
            )
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(columns):
            raise _Refused(
                f"{len(row)} cells where the first line names {len(columns)} columns", line
            )
        option = {c: cell.strip() for c, cell in zip(columns, row, strict=True) if cell.strip()}
        value = option.get("value", "")
        if not _VALUE.match(value):
            raise _Refused(
                f"value {value!r} must be 1 to 100 letters, digits or _ . : + / - characters", line
            )
        if not option.get("label"):
            raise _Refused(f"option '{value}' has no label", line)
        if value in first_line:
            raise _Refused(f"duplicate value '{value}' (first on line {first_line[value]})", line)
        first_line[value] = line
        yield option
