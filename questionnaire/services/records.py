"""Repeating groups: adding, changing and removing one record at a time (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.engine import (
    PageNotOnPath,
    RecordNotFound,
    ShownQuestion,
    evaluate,
    remove_record,
    submit_record,
)
from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.counted import is_counted
from questionnaire.engine.given import given_fields, is_given
from questionnaire.engine.model import Question, RepeatQuestion

from . import responses
from .context import Context
from .inputs import input_values
from .journey import Go, OpenLink, PageView, show_page


def fields_of(group: ShownQuestion) -> tuple[Question, ...]:
    """A repeating group's field questions."""
    assert isinstance(group.question, RepeatQuestion)
    return tuple(group.question.questions)


class NoSuchRecord(LookupError):
    """The group is not shown on the page, or has no record at that index."""


@dataclass(frozen=True)
class RecordView:
    """One record's form: the group as shown, which record (``None``: a new one), its fields."""

    page: PageView
    group: ShownQuestion
    index: int | None
    fields: tuple[ShownQuestion, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    status: int = 200
    notice: str | None = None

    @property
    def field_questions(self) -> tuple[Question, ...]:
        return fields_of(self.group)


def _group(view: PageView, group_id: str, index: int | None, surplus: bool) -> ShownQuestion:
    shown = next((q for q in view.state.questions if q.id == group_id and q.type == "repeat"), None)
    flagged = surplus and shown is not None and index in {i for i, _ in shown.surplus}
    if shown is None or (index is not None and index >= len(shown.records) and not flagged):
        raise NoSuchRecord(group_id)
    if index is None and (is_given(shown.question) or is_counted(shown.question)):
        # its records are the engagement's, or as many as the count says
        raise NoSuchRecord(group_id)
    return shown


def locate(
    context: Context,
    opened: OpenLink,
    page_id: str,
    group_id: str,
    index: int | None,
    *,
    surplus: bool = False,
) -> tuple[PageView, ShownQuestion] | Go:
    """The page and the shown group a record URL names; :class:`NoSuchRecord` if none.
    ``surplus``: a counted group's record beyond its count may be named too (to remove it)."""
    view = show_page(context, opened, page_id)
    if isinstance(view, Go):
        return view
    return view, _group(view, group_id, index, surplus)


def record_form(
    view: PageView,
    group: ShownQuestion,
    index: int | None,
    typed: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    notice: str | None = None,
) -> RecordView:
    """The record's form: what was typed, else the stored record, and its visible fields."""
    fields = fields_of(group)
    values = dict(typed) if typed is not None else _stored_values(group, index, fields)
    shown = _visible_fields(view, group, index, values)
    return RecordView(view, group, index, shown, values, errors or {}, status, notice)


def _stored_values(
    group: ShownQuestion, index: int | None, fields: tuple[Question, ...]
) -> dict[str, Any]:
    stored = {}
    if index is not None and isinstance(group.value, list) and index < len(group.value):
        stored = group.value[index]
    return input_values(fields, stored)


def _visible_fields(
    view: PageView, group: ShownQuestion, index: int | None, values: Mapping[str, Any]
) -> tuple[ShownQuestion, ...]:
    """The record's visible fields for the values shown, as the engine decides them."""
    record = {}
    for field in fields_of(group):
        parsed = parse_answer(field, values.get(field.id))
        if parsed is not None and not isinstance(parsed, Invalid):
            record[field.id] = parsed
    records = list(group.value) if isinstance(group.value, list) else []
    position = len(records) if index is None else index
    if index is not None and index < len(records):  # a given record keeps its given fields
        record = {**record, **given_fields(group.question, records[index])}
    records[position : position + 1] = [record]
    answers = {**view.response.answers, group.id: records}
    flow = evaluate(view.q, answers, until=view.page_id, trusted=True)
    for shown in flow.pages[view.page_id].questions:
        if shown.id == group.id and position < len(shown.records):
            return shown.records[position]
    return ()


def save_record(
    db: Session,
    context: Context,
    opened: OpenLink,
    located: tuple[PageView, ShownQuestion],
    index: int | None,
    version: int,
    typed: Mapping[str, Any],
) -> Go | RecordView:
    view, group = located
    try:
        result = submit_record(view.q, view.response.answers, group.id, index, typed, trusted=True)
    except (PageNotOnPath, RecordNotFound):
        return Go("resume")
    if result.errors:
        return record_form(view, group, index, typed, result.errors, status=400)
    try:
        responses.save_answers(
            db, context.settings, view.response, version, result.answers, [], opened.actor,
            "response.save_record", group=group.id, index=index,
        )  # fmt: skip
    except responses.Conflict:
        return record_form(view, group, index, typed, {}, status=409, notice="conflict")
    except responses.AlreadySubmitted:
        return Go("done")
    return Go("page", view.page_id, anchor=group.id)


def delete_record(
    db: Session,
    context: Context,
    opened: OpenLink,
    located: tuple[PageView, ShownQuestion],
    index: int,
    version: int,
) -> Go:
    """Remove record ``index``; raises :class:`responses.Conflict` when the answers changed,
    :class:`NoSuchRecord` when the group's records are given (none can be removed)."""
    view, group = located
    try:
        remaining = remove_record(view.response.answers, group.id, index, view.q)
    except RecordNotFound:
        raise NoSuchRecord(group.id) from None
    try:
        responses.save_answers(
            db, context.settings, view.response, version, remaining, [], opened.actor,
            "response.remove_record", group=group.id, index=index,
        )  # fmt: skip
    except responses.AlreadySubmitted:
        return Go("done")
    return Go("page", view.page_id, anchor=group.id)
