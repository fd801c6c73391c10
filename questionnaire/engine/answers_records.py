"""Answers that are records rather than text: an uploaded file's, and a repeating group's list.

Split from ``answers`` to keep it short. A file answer is the upload's record (id, name, size,
kind), checked against the question's accepted kinds and size; a group's answer is its records.
"""

from __future__ import annotations

from .answers_common import CONTROL, FILE, FILE_NAME, Invalid, as_noun, format_number, or_list
from .answers_numbers import is_int
from .model import FileQuestion, RepeatQuestion
from .types import JSON

_FILE_KEYS = frozenset({"id", "name", "size", "kind"})


def parse_file(question: FileQuestion, raw: object) -> JSON | Invalid:
    if not isinstance(raw, dict):
        return Invalid(FILE)
    file = {key: raw.get(key) for key in ("id", "name", "size", "kind")}
    size, kind = file["size"], file["kind"]
    if not (isinstance(file["id"], str) and isinstance(file["name"], str)):
        return Invalid(FILE)
    if CONTROL.search(file["id"]) or CONTROL.search(file["name"]):
        return Invalid(FILE_NAME)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0 or not isinstance(kind, str):
        return Invalid(FILE)
    if kind not in question.accept:
        kinds = [accepted.upper() for accepted in question.accept]
        article = "an" if kinds[0] == "XLSX" else "a"
        return Invalid(f"The selected file must be {article} {or_list(kinds)}")
    if size > question.max_size_mb * 1024 * 1024:
        return Invalid(
            f"The selected file must be smaller than {format_number(question.max_size_mb)} MB"
        )
    return file


def parse_repeat(question: RepeatQuestion, raw: object) -> JSON | Invalid:
    if isinstance(raw, list | tuple) and all(isinstance(record, dict) for record in raw):
        return [dict(record) for record in raw]
    return Invalid(f"Enter the details of each {as_noun(question.item_label)}")


def is_file(value: JSON) -> bool:
    """An upload's record: its values typed too, so a stored one cannot smuggle in other data."""
    if not (isinstance(value, dict) and value.keys() >= _FILE_KEYS):
        return False
    texts = (value["id"], value["name"], value["kind"])
    return all(isinstance(text, str) for text in texts) and is_int(value["size"])


def is_records(value: JSON) -> bool:
    return isinstance(value, list) and all(isinstance(record, dict) for record in value)
