"""What a name means inside a rule, for the linter: iterators' records, and unanswered answers.

Inside ``map``, ``filter``, ``all``, ``none`` and ``some`` over a repeating group, ``{"var":
"port"}`` is the current record's field; inside ``reduce`` it is ``{"var": "current.port"}``
(and ``{"var": "accumulator"}`` the running value). The engine reads a misspelt field as
``null`` without complaint, so the linter checks these names against the group's fields.

JsonLogic's loose ``==`` treats ``null`` like ``false``, ``0`` and ``""``, so ``{"==": [{"var":
"x"}, false]}`` holds while ``x`` is unanswered. datalogic-py lets no one redefine ``==`` (its
built-ins win over custom operators), so rather than rewrite rules behind the author's back the
linter warns on each such comparison and suggests the strict ``===``, which never equates
``null`` with anything but ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .diagnostics import did_you_mean
from .model import Question, RepeatQuestion

#: Iterators: the list comes first, then the rule applied to each element.
ITERATORS = frozenset({"map", "filter", "all", "none", "some", "reduce"})


@dataclass(frozen=True)
class ElementScope:
    """The elements an iterator walks: a group's records, or (``group`` None) a list of
    something else, whose names the linter cannot check."""

    operator: str
    group: RepeatQuestion | None
    #: ``""`` in map and friends (``{"var": "port"}``), ``"current."`` in reduce.
    prefix: str

    @property
    def fields(self) -> Mapping[str, Question]:
        return {} if self.group is None else {q.id: q for q in self.group.questions}

    def field_of(self, name: str) -> Question | None:
        """The field ``name`` reads, if it reads one of the record's fields."""
        if self.prefix and not name.startswith(self.prefix):
            return None
        return self.fields.get(name.removeprefix(self.prefix).partition(".")[0])

    def problem(self, name: str) -> str | None:
        """Why ``name`` reads nothing in the records, or None when it names a field."""
        if self.group is None:
            return None
        operator = self.operator
        if self.prefix:  # reduce
            if name in ("", "current", "accumulator") or name.startswith("accumulator."):
                return None
            if not name.startswith(self.prefix):
                return (
                    f"inside 'reduce' over '{self.group.id}', a record's field is "
                    f'{{"var": "current.field"}} and the running value {{"var": "accumulator"}}, '
                    f"not '{name}'"
                )
        elif name == "":
            return None
        elif name.startswith("current."):
            field = name.removeprefix("current.")
            return (
                f"inside '{operator}' over '{self.group.id}', write the record's field as "
                f'{{"var": "{field}"}}: \'current\' is only for reduce'
            )
        field = name.removeprefix(self.prefix).partition(".")[0]
        if field in self.fields or field in {c.id for c in self.group.computed}:
            return None
        return (
            f"'{name}' is not a field of '{self.group.id}' (its records have "
            f"{', '.join(self.fields)}){did_you_mean(field, list(self.fields))}"
        )


def element_scope(operator: str, source: Any, groups: Mapping[str, RepeatQuestion]) -> ElementScope:
    """The elements ``source`` (an iterator's first argument) lists, ``groups`` by name."""
    return ElementScope(
        operator, _group_listed(source, groups), "current." if operator == "reduce" else ""
    )


def _group_listed(source: Any, groups: Mapping[str, RepeatQuestion]) -> RepeatQuestion | None:
    if not (isinstance(source, dict) and len(source) == 1):
        return None
    ((operator, args),) = source.items()
    if operator == "var":
        name = args[0] if isinstance(args, list) and args else args
        return groups.get(name) if isinstance(name, str) else None
    if operator == "filter" and isinstance(args, list) and args:
        return _group_listed(args[0], groups)  # a filtered group lists the same records
    return None


def var_name(operand: Any) -> str | None:
    """The name ``{"var": name}`` (or ``{"var": [name, default]}``) reads, else None."""
    if not (isinstance(operand, dict) and len(operand) == 1):
        return None
    ((operator, args),) = operand.items()
    if operator != "var":
        return None
    name = args[0] if isinstance(args, list) and args else args
    return name if isinstance(name, str) else None


def unanswered_comparison(operator: str, name: str, question: Question, literal: Any) -> str | None:
    """The warning for comparing ``name`` with ``literal`` if the result misleads when unanswered."""
    if operator == "==" and _loosely_null(literal):
        return (
            f'{{"==": [{{"var": "{name}"}}, {_json(literal)}]}} also holds while \'{name}\' is '
            'unanswered (loose equality takes null as false, 0 and ""): '
            f'write {{"===": [{{"var": "{name}"}}, {_json(literal)}]}}'
        )
    if operator == "!=" and _loosely_null(literal):
        return (
            f'{{"!=": [{{"var": "{name}"}}, {_json(literal)}]}} is false while \'{name}\' is '
            'unanswered (loose equality takes null as false, 0 and ""): '
            f'write {{"!==": [{{"var": "{name}"}}, {_json(literal)}]}}'
        )
    if operator in ("!=", "!==") and literal is True and question.type == "yes_no":
        return (
            f"'{name}' is not true while it is unanswered too: to test an answer of no, write "
            f'{{"===": [{{"var": "{name}"}}, false]}}'
        )
    return None


def _loosely_null(literal: Any) -> bool:
    """Whether JsonLogic's loose equality takes ``literal`` as equal to ``null``."""
    if isinstance(literal, bool):
        return literal is False
    return literal == "" or (isinstance(literal, int | float) and literal == 0)


def _json(value: Any) -> str:
    return json.dumps(value)
