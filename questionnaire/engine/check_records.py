"""Checks of ``records_from``: a known source, fields that do not clash, limits that apply.

A group given its records from the engagement has exactly the records the engagement holds, so
``min_items`` and ``max_items`` (which bound what a respondent adds) would never be enforced,
and a question whose id is one of the source's fields would hide that field.
"""

from __future__ import annotations

from collections.abc import Iterator

from .diagnostics import Diagnostic, did_you_mean
from .model import Definition, RepeatQuestion
from .record_sources import RECORD_SOURCES
from .source import Path, Source

LIMITS = ("min_items", "max_items")


def check_records(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            if isinstance(question, RepeatQuestion) and question.records_from is not None:
                yield from _group(question, ("pages", p, "questions", q), source)


def _group(group: RepeatQuestion, path: Path, source: Source) -> Iterator[Diagnostic]:
    name = str(group.records_from)
    known = RECORD_SOURCES.get(name)
    if known is None:
        hint = did_you_mean(name, RECORD_SOURCES) or (
            f" (the sources are: {', '.join(sorted(RECORD_SOURCES))})"
        )
        yield source.diagnostic(
            (*path, "records_from"), f"question '{group.id}': unknown record source '{name}'{hint}"
        )
    for limit in LIMITS:
        if limit in group.model_fields_set:
            yield source.diagnostic(
                (*path, limit),
                f"question '{group.id}': {limit} does not apply to records taken from "
                f"'{name}' (the respondent cannot add or remove them): remove it",
            )
    if known is None:
        return
    for i, item in enumerate(group.questions):
        if item.id in known.fields:
            yield source.diagnostic(
                (*path, "questions", i, "id"),
                f"question '{group.id}.{item.id}': '{item.id}' is a field of each record taken "
                f"from '{name}' (its fields are {', '.join(known.fields)}): choose another id",
            )


def unknown_field(group: RepeatQuestion, field: str, what: str) -> str | None:
    """Why ``item.<field>`` reads nothing in ``group``'s given records, or None when it does."""
    known = RECORD_SOURCES.get(str(group.records_from))
    if known is None:
        return None  # the unknown source is reported once, by check_records
    if field in known.fields:
        return None
    names = [*known.fields, *(q.id for q in group.questions)]
    return (
        f"{what} refers to unknown field 'item.{field}' of '{group.id}' (its records from "
        f"'{group.records_from}' have {', '.join(known.fields)}; its questions are "
        f"{', '.join(q.id for q in group.questions)}){did_you_mean(field, names)}"
    )
