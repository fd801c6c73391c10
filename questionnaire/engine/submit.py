"""Accepting one page of answers: parse what the respondent typed, keep only what applies.

The server never trusts what is posted: values for questions that are not visible are ignored,
every value is parsed by its question's type, and the flow is recomputed with the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import Invalid, parse_answer
from .choice_filter import refused
from .compiled import Questionnaire
from .counted import is_counted
from .counted_submit import counted_records, removable
from .flow import evaluate
from .flow_state import FlowResult, PageState, ShownQuestion
from .given import given_fields, is_given
from .model import Question, RepeatQuestion
from .nesting import in_nested, kept_nested, nested_ids
from .types import JSON

_REQUIRED_MESSAGES = {
    "choice": "Select an answer to",
    "yes_no": "Select yes or no for",
    "multi_choice": "Select at least one option for",
    "file": "Choose a file for",
    "date": "Enter a date for",
}
_LABEL_LIMIT = 90


def required_message(question: Question, label: str | None = None) -> str:
    """What to do about a missing answer, naming the question so that every message in an
    error summary can be told apart."""
    if isinstance(question, RepeatQuestion):
        return f"Add at least {max(question.min_items, 1)} {question.item_label.lower()}"
    label = label or question.label
    if len(label) > _LABEL_LIMIT:
        label = label[: _LABEL_LIMIT - 1].rstrip() + "…"
    action = _REQUIRED_MESSAGES.get(question.type, "Enter an answer to")
    return f"{action} ‘{label}’"  # noqa: RUF001 - typographic quotes, as GOV.UK writes them


def _shown(state: PageState, name: str) -> ShownQuestion | None:
    """The shown question a field name (``port`` or ``services[1].port``) refers to."""
    head, _, field = name.partition(".")
    group, _, index = head.partition("[")
    for shown in state.questions:
        if shown.id != group:
            continue
        if not field:
            return shown
        position = int(index.rstrip("]")) if index.rstrip("]").isdigit() else -1
        if 0 <= position < len(shown.records):
            return next((f for f in shown.records[position] if f.id == field), None)
    return None


def _missing_message(state: PageState, name: str, fallback: Question) -> str:
    shown = _shown(state, name)
    return required_message(shown.question, shown.label) if shown else required_message(fallback)


class PageNotOnPath(LookupError):
    """The page is not on the respondent's path for their current answers (a stale or forged URL)."""


class RecordNotFound(LookupError):
    """No record at that index of the repeating group (a stale or forged URL)."""


@dataclass(frozen=True)
class PageSubmission:
    """The outcome of posting a page: the answers to store, errors by field, and the new flow."""

    answers: dict[str, JSON]
    errors: dict[str, str]
    flow: FlowResult

    @property
    def ok(self) -> bool:
        return not self.errors


def submit_page(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    page_id: str,
    posted: Mapping[str, JSON],
    *,
    trusted: bool = False,
    whole_flow: bool = False,
    current: FlowResult | None = None,
) -> PageSubmission:
    """Apply ``posted`` (raw form values by question id) to page ``page_id``.

    Valid values are merged into the answers even when other fields on the page have errors, so
    nothing the respondent typed correctly is lost. A field left out of ``posted`` is cleared when
    the question is shown (an unticked checkbox posts nothing). Repeating groups are edited one
    record at a time (:func:`submit_record`) and are left alone here. ``trusted``: the stored
    answers were parsed when they were saved (see :func:`evaluate`). ``whole_flow``: walk past
    the page to the end, so the result is also the flow the next page (or the page shown again)
    needs; else the walk stops after the page. ``current``: the whole flow of ``answers`` as
    they are, if the caller has it: when the posted values change no answer (the respondent
    pressed Continue on a page already answered), it is the flow, and nothing is walked.
    """
    page = questionnaire.pages.get(page_id)
    if page is None:
        raise PageNotOnPath(page_id)
    errors: dict[str, str] = {}
    parsed: dict[str, JSON] = {}
    for cq in page.questions:
        if cq.is_repeat:
            continue
        value = parse_answer(cq.question, posted.get(cq.id))
        if isinstance(value, Invalid):
            errors[cq.id] = value.message
        else:
            parsed[cq.id] = value
    # One walk decides everything: the flow lets only visible answers into its context, so the
    # values posted for questions it hides change nothing it computes for this page.
    if current is not None and whole_flow and _changes_nothing(answers, parsed):
        flow = current
    else:
        until = None if whole_flow else page_id
        flow = evaluate(questionnaire, {**answers, **parsed}, until=until, trusted=trusted)
    state = flow.pages.get(page_id)
    if state is None:
        raise PageNotOnPath(page_id)
    shown = {q.id for q in state.questions}
    # An option the question does not offer now (its filter or show_if fails) is refused.
    errors.update(refused(state, parsed))
    merged = dict(answers)
    for key, value in parsed.items():
        if key in shown and key not in errors:
            _store(merged, key, value)
    errors = {k: v for k, v in errors.items() if k in shown}
    for name in state.missing:
        fallback = questionnaire.questions[name.split("[")[0]].question
        errors.setdefault(name, _missing_message(state, name, fallback))
    for name, message in state.problems.items():
        errors.setdefault(name, message)
    return PageSubmission(merged, errors, flow)


def _changes_nothing(answers: Mapping[str, JSON], parsed: Mapping[str, JSON]) -> bool:
    """Whether every parsed value is the answer already held (None: no answer held)."""
    for key, value in parsed.items():
        held = answers.get(key)
        if held != value or type(held) is not type(value):
            return False
    return True


def _store(answers: dict[str, JSON], key: str, value: JSON) -> None:
    if value is None:
        answers.pop(key, None)
    else:
        answers[key] = value


def submit_record(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    group_id: str,
    index: int | None,
    posted: Mapping[str, JSON],
    *,
    trusted: bool = False,
) -> PageSubmission:
    """Add (``index`` None) or replace one record of repeating group ``group_id``.

    A group whose records are given adds none (:class:`RecordNotFound`), and a record's given
    fields are kept as they were, whatever is posted.
    """
    group = questionnaire.questions.get(group_id)
    page_id = questionnaire.page_of.get(group_id, "")
    if group is None or not group.is_repeat:
        raise PageNotOnPath(page_id)
    assert isinstance(group.question, RepeatQuestion)
    records = list(answers.get(group_id) or []) if isinstance(answers.get(group_id), list) else []
    record: dict[str, JSON] = {}
    errors: dict[str, str] = {}
    for item in group.items:
        if item.is_repeat:  # a nested group is edited on its own pages (see .nested_submit)
            continue
        value = parse_answer(item.question, posted.get(item.id))
        if isinstance(value, Invalid):
            errors[item.id] = value.message
        elif value is not None:
            record[item.id] = value
    given = is_given(group.question)
    records = counted_records(questionnaire, answers, group, index, records)
    if (index is None and given) or (index is not None and not 0 <= index < len(records)):
        raise RecordNotFound(f"{group_id}[{index}]")
    if given:
        assert index is not None
        record.update(given_fields(group.question, records[index]))
    position = len(records) if index is None else index
    if index is not None:
        record.update(kept_nested(group, records[index]))
    if index is None and len(records) >= group.question.max_items:
        errors[group_id] = (
            f"You can add up to {group.question.max_items} {group.question.item_label.lower()} entries"
        )
    trial = [*records[:position], record, *records[position + 1 :]]
    flow = evaluate(questionnaire, {**answers, group_id: trial}, until=page_id, trusted=trusted)
    state = flow.pages.get(page_id)
    if state is None:
        raise PageNotOnPath(page_id)
    prefix = f"{group_id}[{position}]."
    shown_fields = _record_fields(flow, group_id, position)
    # A nested group hidden by its condition keeps its records until the answers are
    # submitted (the flow reports them as dropped), like any hidden answer.
    kept = shown_fields | set(given_fields(group.question, record)) | nested_ids(group)
    record = {k: v for k, v in record.items() if k in kept}
    for name in state.missing:
        if name.startswith(prefix) and not in_nested(name[len(prefix) :], group):
            field = name[len(prefix) :]
            cq = next(i for i in group.items if i.id == field)
            errors.setdefault(field, _missing_message(state, name, cq.question))
    for name, message in state.problems.items():
        if name.startswith(prefix) and not in_nested(name[len(prefix) :], group):
            errors.setdefault(name[len(prefix) :], message)
    merged = dict(answers)
    if not errors:
        merged[group_id] = [*records[:position], record, *records[position + 1 :]]
    return PageSubmission(merged, errors, flow)


def _record_fields(flow: FlowResult, group_id: str, position: int) -> set[str]:
    for page in flow.pages.values():
        for shown in page.questions:
            if shown.id == group_id and position < len(shown.records):
                return {f.id for f in shown.records[position]}
    return set()


def remove_record(
    answers: Mapping[str, JSON],
    group_id: str,
    index: int,
    questionnaire: Questionnaire | None = None,
) -> dict[str, JSON]:
    """The answers without record ``index`` of ``group_id`` (out of range: unchanged).

    Given ``questionnaire``, a group whose records are given removes none
    (:class:`RecordNotFound`).
    """
    group = questionnaire.questions.get(group_id) if questionnaire else None
    if group is not None and is_given(group.question):
        raise RecordNotFound(f"{group_id}[{index}]")
    counted_group = group is not None and questionnaire is not None and is_counted(group.question)
    if counted_group and not removable(questionnaire, answers, group, index):  # type: ignore[arg-type]
        raise RecordNotFound(f"{group_id}[{index}]")
    merged = dict(answers)
    records = merged.get(group_id)
    if isinstance(records, list) and 0 <= index < len(records):
        merged[group_id] = [r for i, r in enumerate(records) if i != index]
    return merged
