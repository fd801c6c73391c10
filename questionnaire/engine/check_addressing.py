"""Addressing one record of a repeating group in a rule: ``{"var": "services.0.protocol"}``.

JSON-Logic reads a dotted path with a position in it (``services.0.protocol`` is the first
service's protocol, ``null`` when there is no first service), and the engine's compiled rules
hand the whole group to it. The linter checks what the engine would read as ``null`` without
complaint: a position that is not a number or lies beyond ``max_items``, a field the records
do not have, and (a warning) a record that may not exist because the group may hold fewer.
"""

from __future__ import annotations

from collections.abc import Mapping

from .diagnostics import Severity, did_you_mean
from .model import IntegerQuestion, Question, RepeatQuestion
from .record_sources import RECORD_SOURCES

Finding = tuple[str, Severity]


def record_fields(group: RepeatQuestion) -> list[str]:
    """Every name a record of ``group`` holds: given fields, questions, computed fields."""
    given = RECORD_SOURCES.get(str(group.records_from))
    names = [
        *(given.fields if given else ()),
        *(q.id for q in group.questions),
        *(c.id for c in group.computed),
    ]
    return list(dict.fromkeys(names))


def record_address(
    group: RepeatQuestion, rest: str, what: str, questions: Mapping[str, Question]
) -> list[Finding]:
    """The problems of reading ``<group>.<rest>``; ``questions`` are the top-level ones."""
    position, _, field = rest.partition(".")
    name = f"{group.id}.{rest}"
    fields = record_fields(group)
    if not (position.isascii() and position.isdigit()):
        example = f"{group.id}.0.{position}" if position in fields else f"{group.id}.0.<field>"
        return [
            (
                f"{what} '{name}': reads nothing, a record of '{group.id}' is addressed by its "
                f"position, e.g. {example} (the first record)",
                Severity.ERROR,
            )
        ]
    index = int(position)
    found: list[Finding] = []
    if group.records_from is None and index >= group.max_items:
        found.append(
            (
                f"{what} '{name}': '{group.id}' holds at most {group.max_items} records "
                f"(max_items), so record {index} never exists (the first is 0)",
                Severity.ERROR,
            )
        )
        return found
    head = field.partition(".")[0]
    if field and head not in fields:
        found.append(
            (
                f"{what} '{name}': '{head}' is not a field of '{group.id}' (its records have "
                f"{', '.join(fields)}){did_you_mean(head, fields)}",
                Severity.ERROR,
            )
        )
    elif index >= fewest(group, questions):
        found.append(
            (
                f"{what} '{name}' reads nothing when '{group.id}' has no record {index} (it may "
                f"hold fewer than {index + 1}): the rule then sees it as unanswered",
                Severity.WARNING,
            )
        )
    return found


def fewest(group: RepeatQuestion, questions: Mapping[str, Question]) -> int:
    """The fewest records ``group`` can hold once answered: its ``min_items``, or the least
    its count's question allows (no group is sure to have a given record)."""
    count = group.count
    if isinstance(count, dict) and list(count) == ["var"] and isinstance(count["var"], str):
        counter = questions.get(count["var"])
        if isinstance(counter, IntegerQuestion) and counter.required and counter.show_if is None:
            return max(counter.min or 0, 0)
        return 0
    return 0 if group.records_from is not None else group.min_items


def addressed_field(question: Question, rest: str) -> Question | None:
    """The field question ``<group>.<position>.<field>`` reads, so its literals are checked."""
    if not isinstance(question, RepeatQuestion):
        return None
    position, _, field = rest.partition(".")
    if not position.isdigit():
        return None
    return next((q for q in question.questions if q.id == field), None)
