"""Values computed per record of a repeating group (``computed:`` inside the group).

Each is worked out once the record's questions are walked, in the order written, from the
record's fields (``{"var": "item.real_servers"}``), earlier computed fields of the same record,
and earlier answers. The value is put in the record itself, so that everything outside reads it
as it reads a field: a condition as ``{"var": "services.0.total"}``, an iterator as ``{"var":
"total"}``, the SoW pre-fill as ``item(record, "total")``. Because a computed field may read only
those defined before it, a cycle cannot be written: the linter reports its forward reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .compiled import CompiledComputed, CompiledQuestion
from .diagnostics import Diagnostic
from .logic import compile_rule, is_unanswered, nests_too_deep
from .model import Definition, Question, RepeatQuestion
from .record_sources import RECORD_SOURCES
from .source import Source
from .types import JSON


def compiled(question: Question) -> tuple[CompiledComputed, ...]:
    """A group's computed fields, compiled (none for any other question)."""
    if not isinstance(question, RepeatQuestion):
        return ()
    return tuple(
        CompiledComputed(c.id, compile_rule(c.logic), frozenset()) for c in question.computed
    )


def fill(cq: CompiledQuestion, context: dict[str, JSON]) -> None:
    """Work out the record's computed fields into ``context["item"]``, the record being walked."""
    record = context["item"]
    assert isinstance(record, dict)
    for computed in cq.record_computed:
        value = computed.rule.evaluate(context)
        if is_unanswered(value) or nests_too_deep(value):
            record.pop(computed.id, None)
        else:
            record[computed.id] = value


def labels(question: Question) -> Mapping[str, str]:
    """Each computed field's label on the record's summary (its id when it has none)."""
    if not isinstance(question, RepeatQuestion):
        return {}
    return {c.id: c.label or c.id.replace("_", " ").capitalize() for c in question.computed}


def order_problem(group: RepeatQuestion, name: str, position: int, what: str) -> str | None:
    """Why ``item.<name>`` may not be read at ``position`` in the group's order (its questions,
    then its computed fields), or None when it may. ``name`` is a computed field."""
    computed = [c.id for c in group.computed]
    count = len(group.questions)
    index = count + computed.index(name)
    if position < count:
        return (
            f"{what} refers to computed field 'item.{name}' of '{group.id}', which is worked out "
            "after the record's questions: read it outside the record "
            f'({{"var": "{group.id}.0.{name}"}}) or in another computed field'
        )
    if index >= position:
        own = computed[position - count]
        cycle = " (a computed field may not read itself)" if index == position else ""
        return (
            f"computed field '{own}' of '{group.id}' reads 'item.{name}', which is worked out "
            f"after it{cycle}: define '{name}' first (computed fields may not depend on each "
            "other in a cycle)"
        )
    return None


def check_record_computed(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """A computed field's id names nothing else in the record (it would hide that value)."""
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            if not isinstance(question, RepeatQuestion) or not question.computed:
                continue
            given = RECORD_SOURCES.get(str(question.records_from))
            taken = {*(given.fields if given else ()), *(item.id for item in question.questions)}
            for k, computed in enumerate(question.computed):
                if computed.id in taken:
                    yield source.diagnostic(
                        ("pages", p, "questions", q, "computed", k, "id"),
                        f"question '{question.id}': computed field '{computed.id}' has the id of "
                        "one of the record's fields: choose another id",
                    )
                taken.add(computed.id)


def addressed(group: RepeatQuestion, records: object, rest: str) -> tuple[Question | None, object]:
    """What ``{services.0.total}`` quotes: the field's question (None for a computed field)
    and its value in that record (None when there is no such record or value)."""
    position, _, field = rest.partition(".")
    if not position.isdigit() or not isinstance(records, list) or int(position) >= len(records):
        return None, None
    record = records[int(position)]
    value = record.get(field) if isinstance(record, dict) else None
    return next((q for q in group.questions if q.id == field), None), value
