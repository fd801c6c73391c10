"""Adding, changing and removing one record of a nested group (a service's real servers).

A nested record is edited on its own page, as a top-level record is (:func:`~.submit.submit_record`):
the server parses what is posted by each field's type, walks the flow with the record in place
(its conditions read ``item`` as the nested record), and keeps only the fields the flow shows.
A URL naming a parent or nested record that does not exist, or a nested group its condition
hides, raises :class:`~.submit.RecordNotFound`, which the web app answers with a 404.
"""

from __future__ import annotations

from collections.abc import Mapping

from .answers import Invalid, parse_answer
from .compiled import CompiledQuestion, Questionnaire
from .flow import evaluate
from .flow_state import FlowResult, PageState, ShownQuestion
from .submit import PageNotOnPath, PageSubmission, RecordNotFound, required_message
from .types import JSON


def nested_of(questionnaire: Questionnaire, group_id: str, sub_id: str) -> CompiledQuestion:
    """The nested group ``sub_id`` of top-level group ``group_id`` (:class:`PageNotOnPath`)."""
    group = questionnaire.questions.get(group_id)
    sub = next((i for i in group.items if i.id == sub_id and i.is_repeat), None) if group else None
    if group is None or sub is None:
        raise PageNotOnPath(questionnaire.page_of.get(group_id, ""))
    return sub


def _records(answers: Mapping[str, JSON], group_id: str, index: int) -> list[JSON]:
    records = answers.get(group_id)
    if not isinstance(records, list) or not 0 <= index < len(records):
        raise RecordNotFound(f"{group_id}[{index}]")
    if not isinstance(records[index], dict):
        raise RecordNotFound(f"{group_id}[{index}]")
    return list(records)


def _inner(parent: Mapping[str, JSON], sub_id: str) -> list[JSON]:
    inner = parent.get(sub_id)
    return list(inner) if isinstance(inner, list) else []


def _with_inner(
    answers: Mapping[str, JSON], group_id: str, index: int, sub_id: str, inner: list[JSON]
) -> dict[str, JSON]:
    records = _records(answers, group_id, index)
    parent = dict(records[index])
    if inner:
        parent[sub_id] = inner
    else:
        parent.pop(sub_id, None)
    records[index] = parent
    return {**answers, group_id: records}


def shown_nested(flow: FlowResult, group_id: str, index: int, sub_id: str) -> ShownQuestion | None:
    """The nested group as the flow shows it in record ``index`` (None: hidden or absent)."""
    for page in flow.pages.values():
        for shown in page.questions:
            if shown.id == group_id and 0 <= index < len(shown.records):
                return next((f for f in shown.records[index] if f.id == sub_id), None)
    return None


def submit_nested_record(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    where: tuple[str, int, str],
    sub_index: int | None,
    posted: Mapping[str, JSON],
    *,
    trusted: bool = False,
) -> PageSubmission:
    """Add (``sub_index`` None) or replace one record of the nested group ``where`` names
    (``("services", 0, "real_servers")``)."""
    group_id, index, sub_id = where
    sub = nested_of(questionnaire, group_id, sub_id)
    page_id = questionnaire.page_of[group_id]
    inner = _inner(_records(answers, group_id, index)[index], sub_id)
    if sub_index is not None and not 0 <= sub_index < len(inner):
        raise RecordNotFound(f"{group_id}[{index}].{sub_id}[{sub_index}]")
    record: dict[str, JSON] = {}
    errors: dict[str, str] = {}
    for field in sub.items:
        value = parse_answer(field.question, posted.get(field.id))
        if isinstance(value, Invalid):
            errors[field.id] = value.message
        elif value is not None:
            record[field.id] = value
    position = len(inner) if sub_index is None else sub_index
    limit = sub.question.max_items  # type: ignore[union-attr]
    if sub_index is None and len(inner) >= limit:
        label = sub.question.item_label.lower()  # type: ignore[union-attr]
        errors[sub_id] = f"You can add up to {limit} {label} entries"
    trial = [*inner[:position], record, *inner[position + 1 :]]
    flow = evaluate(
        questionnaire, _with_inner(answers, group_id, index, sub_id, trial), until=page_id,
        trusted=trusted,
    )  # fmt: skip
    shown = shown_nested(flow, group_id, index, sub_id)
    if shown is None or page_id not in flow.pages:  # hidden by its condition: no such page
        raise RecordNotFound(f"{group_id}[{index}].{sub_id}")
    fields = shown.records[position] if position < len(shown.records) else ()
    record = {k: v for k, v in record.items() if k in {f.id for f in fields}}
    _field_errors(
        flow.pages[page_id], f"{group_id}[{index}].{sub_id}[{position}].", fields, sub, errors
    )
    merged = dict(answers)
    if not errors:
        merged = _with_inner(
            answers, group_id, index, sub_id, [*inner[:position], record, *inner[position + 1 :]]
        )
    return PageSubmission(merged, errors, flow)


def _field_errors(
    state: PageState,
    prefix: str,
    fields: tuple[ShownQuestion, ...],
    sub: CompiledQuestion,
    errors: dict[str, str],
) -> None:
    """The missing answers and problems of the nested record, by field id."""
    labels = {f.id: f for f in fields}
    for name in state.missing:
        if name.startswith(prefix):
            field = name[len(prefix) :]
            shown = labels.get(field)
            fallback = next(i.question for i in sub.items if i.id == field)
            errors.setdefault(
                field,
                required_message(shown.question, shown.label)
                if shown
                else required_message(fallback),
            )
    for name, message in state.problems.items():
        if name.startswith(prefix):
            errors.setdefault(name[len(prefix) :], message)


def remove_nested_record(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    where: tuple[str, int, str],
    sub_index: int,
) -> dict[str, JSON]:
    """The answers without nested record ``sub_index`` (:class:`RecordNotFound` if none)."""
    group_id, index, sub_id = where
    nested_of(questionnaire, group_id, sub_id)
    inner = _inner(_records(answers, group_id, index)[index], sub_id)
    if not 0 <= sub_index < len(inner):
        raise RecordNotFound(f"{group_id}[{index}].{sub_id}[{sub_index}]")
    return _with_inner(
        answers, group_id, index, sub_id, [r for i, r in enumerate(inner) if i != sub_index]
    )
