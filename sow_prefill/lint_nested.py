"""Lint of nested records in templates: ``records(service, "real_servers")``.

A record's nested group is read as ``records(record, "nested_id")``, where ``record`` walks a
top-level group (``{% for service in records("services") %}``). The linter checks that the
nested id names a group inside that group's records, as it checks ``records("services")``
names a group; ``item(server, "ip")`` is then checked against the nested group's fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jinja2 import nodes

from questionnaire.engine.compiled import Questionnaire
from questionnaire.engine.diagnostics import did_you_mean
from questionnaire.engine.nesting import nested_groups

from .jinja_ast import called_name, constant_argument, name_of, record_groups


def nested_fields(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """Each nested group (``services.real_servers``) with its fields."""
    return {
        f"{key}.{sub.id}": frozenset(q.id for q in sub.questions)
        for key, model in questionnaire.models.items()
        for sub in nested_groups(model)
    }


def nested_records_problems(
    ast: nodes.Template, nested: Mapping[str, frozenset[str]]
) -> Iterator[tuple[int, str, str]]:
    """(line, message, quoted text) for each ``records(record, "x")`` naming no nested group."""
    groups = record_groups(ast)
    for call in ast.find_all(nodes.Call):
        if called_name(call) != "records" or len(call.args) < 2:
            continue
        owner, sub = name_of(call.args[0]), constant_argument(call, 1)
        if owner is None or sub is None:
            continue
        group = groups.get(owner)
        if group is None:
            message = (
                f"records({owner}, \"{sub}\"): '{owner}' is not a record of a group "
                f'(loop over records("group") first)'
            )
            yield call.lineno, message, owner
            continue
        if f"{group}.{sub}" in nested:
            continue
        inside = [key.partition(".")[2] for key in nested if key.partition(".")[0] == group]
        what = (
            f"the groups inside '{group}' are {', '.join(inside)}"
            if inside
            else (f"'{group}' holds no repeating group")
        )
        yield (
            call.lineno,
            f"records({owner}, \"{sub}\"): '{sub}' is not a repeating group inside "
            f"'{group}' ({what}){did_you_mean(sub, inside)}",
            sub,
        )
