"""Given records: a repeating group whose records come from the engagement (``records_from``).

A response starts with the group's records already in its answers, each holding only the
source's fields (:func:`starting_records`); the respondent's answers to the group's own
questions are added to each record. The records themselves are fixed from then on: the flow
reads their fields as given, :func:`~.submit.submit_record` changes a record's answers but never
its given fields and adds no record, and :func:`~.submit.remove_record` removes none. Pure, so
the web app, ``questionnaire simulate`` and the path tests all start from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from .compiled import Questionnaire
from .diagnostics import did_you_mean
from .model import Question, RepeatQuestion, TextQuestion
from .record_sources import RECORD_SOURCES, RecordSource
from .types import JSON

#: The records a response is given, by source name (``pdr.virtual_services``).
GivenRecords = Mapping[str, Sequence[Mapping[str, Any]]]


def source_of(question: Question) -> RecordSource | None:
    """The source a group takes its records from; None for any other question."""
    if not isinstance(question, RepeatQuestion) or question.records_from is None:
        return None
    return RECORD_SOURCES.get(question.records_from)


def is_given(question: Question) -> bool:
    """Whether ``question`` is a group whose records are given, not typed."""
    return isinstance(question, RepeatQuestion) and question.records_from is not None


def given_fields(question: Question, record: Any) -> dict[str, JSON]:
    """The record's source fields, as text (a value of another shape is left out)."""
    source = source_of(question)
    if source is None or not isinstance(record, Mapping):
        return {}
    found: dict[str, JSON] = {}
    for name in source.fields:
        value = record.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()
    return found


def heading(question: Question, record: Any) -> str:
    """The record's summary line, built from its given fields."""
    source = source_of(question)
    return source.heading_of(given_fields(question, record)) if source else ""


@cache
def field_questions(source_name: str) -> Mapping[str, Question]:
    """The source's fields as questions, so ``{item.name}`` is quoted as any answer is."""
    source = RECORD_SOURCES[source_name]
    return {
        name: TextQuestion(id=name, label=field.label, type="text", max_length=10_000)
        for name, field in source.fields.items()
    }


def given_groups(questionnaire: Questionnaire) -> Iterator[RepeatQuestion]:
    """The top-level groups whose records are given, in document order."""
    for question in questionnaire.models.values():
        if isinstance(question, RepeatQuestion) and source_of(question) is not None:
            yield question


def starting_records(questionnaire: Questionnaire, records: GivenRecords) -> dict[str, JSON]:
    """The answers a new response starts with for its given groups: each group's records, in
    the order given, holding only the source's fields (no record: the group starts empty)."""
    answers: dict[str, JSON] = {}
    for group in given_groups(questionnaire):
        listed = records.get(group.records_from or "") or ()
        kept: list[JSON] = [given_fields(group, record) for record in listed]
        if kept:
            answers[group.id] = kept
    return answers


def answer_given(
    questionnaire: Questionnaire, answers: Mapping[str, JSON], typed: Mapping[str, Any]
) -> dict[str, JSON]:
    """``answers`` with ``typed`` over them, where a given group's typed records answer the
    given ones by position: their given fields are kept, and no record is added."""
    merged: dict[str, JSON] = {**answers, **typed}
    for group in given_groups(questionnaire):
        if group.id not in typed:
            continue
        given = answers.get(group.id)
        records = given if isinstance(given, list) else []
        replies = typed[group.id] if isinstance(typed[group.id], list) else []
        merged[group.id] = [
            {**_answers_only(group, reply), **given_fields(group, record)}
            for record, reply in zip(records, [*replies, *([{}] * len(records))], strict=False)
        ]
        if not records:
            merged.pop(group.id)
    return merged


def _answers_only(group: RepeatQuestion, reply: Any) -> dict[str, JSON]:
    """A typed record's answers, without any value for a given field (which it cannot set)."""
    source = source_of(group)
    if not isinstance(reply, dict) or source is None:
        return {}
    return {key: value for key, value in reply.items() if key not in source.fields}


def records_problems(records: Any) -> list[str]:
    """What is wrong with records given by hand (a path test's ``records``, ``--records``)."""
    if not isinstance(records, Mapping):
        return ["records must be a mapping of source names to lists of records"]
    problems = []
    for name, listed in records.items():
        if name not in RECORD_SOURCES:
            hint = did_you_mean(str(name), RECORD_SOURCES) or (
                f" (the sources are: {', '.join(sorted(RECORD_SOURCES))})"
            )
            problems.append(f"unknown record source '{name}'{hint}")
        elif not isinstance(listed, list) or not all(isinstance(r, Mapping) for r in listed):
            problems.append(f"the records of '{name}' must be a list of mappings")
    return problems
