"""One level of nesting: a repeating group's record may hold one repeating group of its own.

A service's record may list its real servers (``services: [{name, ..., real_servers: [{ip,
port}]}]``), but a group inside that nested group is refused: each level is a page of its own in
the web app, and two levels are as deep as a respondent can follow. The model's types hold the
rule (:class:`~.model.NestedRepeatQuestion` takes no group); this module words the refusal and
checks what the types cannot say: a record holds one nested group, which takes no
``records_from``. It also finds nested groups for the web app and the SoW pre-fill.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .check_scopes import ElementScope
from .compiled import CompiledQuestion
from .diagnostics import Diagnostic
from .flow_state import ShownQuestion
from .model import RESERVED_IDS, Definition, NestedRepeatQuestion, Question, RepeatQuestion
from .source import Path, Source
from .types import JSON


def _lookup(value: Any, path: Path) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _id_at(document: Any, path: Path) -> str:
    found = _lookup(document, path)
    if isinstance(found, dict) and isinstance(found.get("id"), str):
        return str(found["id"])
    return "?"


def nesting_too_deep(document: Any, path: Path) -> str | None:
    """The message for a group at ``path`` (``...questions[i].questions[j].questions[k]``)
    that would be a second level of nesting, else None."""
    if sum(1 for part in path if part == "questions") < 3 or len(path) < 4:
        return None
    inner, outer = path[:-2], path[:-4]
    return (
        f"only one level of nesting: '{_id_at(document, inner)}' is already inside "
        f"'{_id_at(document, outer)}'"
    )


def nested_groups(group: Question) -> tuple[NestedRepeatQuestion, ...]:
    """The groups inside ``group``'s records (none for any other question)."""
    if not isinstance(group, RepeatQuestion):
        return ()
    return tuple(q for q in group.questions if isinstance(q, NestedRepeatQuestion))


def nested_group(group: Question, sub_id: str) -> NestedRepeatQuestion | None:
    """The group ``sub_id`` inside ``group``'s records, if there is one."""
    return next((q for q in nested_groups(group) if q.id == sub_id), None)


def check_nesting(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """A record holds at most one nested group, and a nested group's records are typed."""
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            path: Path = ("pages", p, "questions", q)
            inner = [
                (i, item)
                for i, item in enumerate(getattr(question, "questions", ()))
                if isinstance(item, NestedRepeatQuestion)
            ]
            for i, item in inner[1:]:
                yield source.diagnostic(
                    (*path, "questions", i, "type"),
                    f"question '{question.id}.{item.id}': a record holds one repeating group "
                    f"('{question.id}' already holds '{inner[0][1].id}'): put the other on a "
                    "page of its own",
                )
            for i, item in inner:
                if item.records_from is not None:
                    yield source.diagnostic(
                        (*path, "questions", i, "records_from"),
                        f"question '{question.id}.{item.id}': only a top-level group takes its "
                        "records from the engagement: remove records_from",
                    )
    yield from check_nested_ids(definition, source)


def check_nested_ids(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """Each nested group's fields have distinct ids, none of them reserved."""
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            for i, item in enumerate(getattr(question, "questions", ())):
                if not isinstance(item, NestedRepeatQuestion):
                    continue
                seen: set[str] = set()
                for j, field in enumerate(item.questions):
                    where = ("pages", p, "questions", q, "questions", i, "questions", j, "id")
                    if field.id in seen:
                        yield source.diagnostic(
                            where, f"duplicate field of '{item.id}' '{field.id}'"
                        )
                    elif field.id in RESERVED_IDS:
                        yield source.diagnostic(
                            where, f"'{field.id}' is a reserved word and cannot be used as an id"
                        )
                    seen.add(field.id)


def listable_groups(
    groups: Mapping[str, RepeatQuestion],
    record_group: RepeatQuestion | None,
    scope: ElementScope | None,
) -> dict[str, RepeatQuestion]:
    """The groups an iterator (``map``, ``some``...) may walk where a rule runs, by the name
    that lists them: top-level groups by id; in a record's rule, the record's nested group as
    ``item.<id>``; inside an iterator over a group's records, each record's nested group as
    ``<id>`` (``current.<id>`` in ``reduce``), so the linter checks the names read in it."""
    if scope is not None:
        if scope.group is None:
            return {}
        return {scope.prefix + g.id: g for g in nested_groups(scope.group)}
    found = dict(groups)
    if record_group is not None:
        found.update({f"item.{g.id}": g for g in nested_groups(record_group)})
    return found


def nested_ids(group: CompiledQuestion) -> set[str]:
    """The ids of the groups nested in ``group``'s records."""
    return {item.id for item in group.items if item.is_repeat}


def kept_nested(group: CompiledQuestion, stored: Any) -> dict[str, JSON]:
    """The nested records a stored record holds, carried over when its own fields are saved."""
    if not isinstance(stored, dict):
        return {}
    return {key: stored[key] for key in nested_ids(group) if isinstance(stored.get(key), list)}


def in_nested(field: str, group: CompiledQuestion) -> bool:
    """Whether a record's field name (``real_servers`` or ``real_servers[0].ip``) is its nested
    group's: saving the parent record is not held up by it (the nested records have pages of
    their own, and a new parent has none yet)."""
    return field.partition("[")[0] in nested_ids(group)


def nested_names(group: RepeatQuestion) -> list[str]:
    """The names a path test gives a nested group's fields: ``services.real_servers.ip``."""
    return [
        f"{group.id}.{sub.id}.{field.id}" for sub in nested_groups(group) for field in sub.questions
    ]


def nested_shown(group_id: str, record: tuple[ShownQuestion, ...]) -> set[str]:
    """The nested fields shown in one record, by those names."""
    return {
        f"{group_id}.{sub.id}.{field.id}"
        for sub in record
        for inner in sub.records
        for field in inner
    }
