"""A nested group's records (a service's real servers): add, change and remove one at a time.

Each nested record has a page of its own under its parent record's
(``/p/<page>/services/0/real_servers/1``), as a top-level record has. A URL naming a parent or
nested record that does not exist, or a nested group its condition hides, is
:class:`NoSuchRecord` (the web app answers 404), never an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.engine import PageNotOnPath, RecordNotFound, ShownQuestion, evaluate
from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import Question, RepeatQuestion
from questionnaire.engine.nested_submit import (
    remove_nested_record,
    shown_nested,
    submit_nested_record,
)

from . import responses
from .context import Context
from .inputs import input_values
from .journey import Go, OpenLink, PageView, show_page
from .records import NoSuchRecord, fields_of


@dataclass(frozen=True)
class NestedPlace:
    """Where a nested record lives: the page, the parent record and the nested group as shown."""

    page: PageView
    group: ShownQuestion  # the top-level group (services)
    index: int  # the parent record (service 0)
    sub: ShownQuestion  # the nested group inside it (its real servers)

    @property
    def where(self) -> tuple[str, int, str]:
        return self.group.id, self.index, self.sub.id

    @property
    def parent_heading(self) -> str:
        """``Service 1`` (the parent record as the customer knows it)."""
        item = getattr(self.group.question, "item_label", "Item")
        return f"{item} {self.index + 1}"


@dataclass(frozen=True)
class NestedRecordView:
    """One nested record's form (``sub_index`` None: a new one)."""

    place: NestedPlace
    sub_index: int | None
    fields: tuple[ShownQuestion, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    status: int = 200
    notice: str | None = None

    @property
    def field_questions(self) -> tuple[Question, ...]:
        return fields_of(self.place.sub)


def locate_nested(
    context: Context,
    opened: OpenLink,
    page_id: str,
    where: tuple[str, int, str],
    sub_index: int | None,
) -> NestedPlace | Go:
    """The place a nested record URL names; :class:`NoSuchRecord` if there is none."""
    view = show_page(context, opened, page_id)
    if isinstance(view, Go):
        return view
    group_id, index, sub_id = where
    group = next((q for q in view.state.questions if q.id == group_id and q.type == "repeat"), None)
    if group is None or not 0 <= index < len(group.records):
        raise NoSuchRecord(group_id)
    sub = next((f for f in group.records[index] if f.id == sub_id and f.type == "repeat"), None)
    if sub is None or (sub_index is not None and not 0 <= sub_index < len(sub.records)):
        raise NoSuchRecord(sub_id)
    if sub_index is None and len(sub.records) >= _max_items(sub):
        raise NoSuchRecord(sub_id)  # full: no page to add another
    return NestedPlace(view, group, index, sub)


def _max_items(sub: ShownQuestion) -> int:
    assert isinstance(sub.question, RepeatQuestion)
    return sub.question.max_items


def nested_form(
    place: NestedPlace,
    sub_index: int | None,
    typed: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    notice: str | None = None,
) -> NestedRecordView:
    """The nested record's form: what was typed, else the stored record, and its visible fields."""
    fields = fields_of(place.sub)
    stored: Any = {}
    if sub_index is not None and isinstance(place.sub.value, list):
        stored = place.sub.value[sub_index]
    values = dict(typed) if typed is not None else input_values(fields, stored)
    shown = _visible_fields(place, sub_index, values)
    return NestedRecordView(place, sub_index, shown, values, errors or {}, status, notice)


def _visible_fields(
    place: NestedPlace, sub_index: int | None, values: Mapping[str, Any]
) -> tuple[ShownQuestion, ...]:
    """The record's visible fields for the values shown, as the engine decides them."""
    record = {}
    for field in fields_of(place.sub):
        parsed = parse_answer(field, values.get(field.id))
        if parsed is not None and not isinstance(parsed, Invalid):
            record[field.id] = parsed
    inner = list(place.sub.value) if isinstance(place.sub.value, list) else []
    position = len(inner) if sub_index is None else sub_index
    inner[position : position + 1] = [record]
    answers = dict(place.page.response.answers)
    parents = list(answers.get(place.group.id) or [])
    parents[place.index] = {**parents[place.index], place.sub.id: inner}
    answers[place.group.id] = parents
    flow = evaluate(place.page.q, answers, until=place.page.page_id, trusted=True)
    shown = shown_nested(flow, place.group.id, place.index, place.sub.id)
    if shown is None or position >= len(shown.records):
        return ()
    return shown.records[position]


def save_nested(
    db: Session,
    context: Context,
    opened: OpenLink,
    place: NestedPlace,
    sub_index: int | None,
    version: int,
    typed: Mapping[str, Any],
) -> Go | NestedRecordView:
    view = place.page
    try:
        result = submit_nested_record(
            view.q, view.response.answers, place.where, sub_index, typed, trusted=True
        )
    except (PageNotOnPath, RecordNotFound):
        return Go("resume")
    if result.errors:
        return nested_form(place, sub_index, typed, result.errors, status=400)
    try:
        responses.save_answers(
            db, context.settings, view.response, version, result.answers, [], opened.actor,
            "response.save_record", group=f"{place.group.id}[{place.index}].{place.sub.id}",
            index=sub_index,
        )  # fmt: skip
    except responses.Conflict:
        return nested_form(place, sub_index, typed, {}, status=409, notice="conflict")
    except responses.AlreadySubmitted:
        return Go("done")
    return _back_to_parent(place)


def _back_to_parent(place: NestedPlace) -> Go:
    """Back where the nested group is listed: the view takes ``page`` to the parent record's
    page (at the nested group), as it knows that record's URL."""
    return Go("page", place.page.page_id, anchor=place.sub.id)


def delete_nested(
    db: Session,
    context: Context,
    opened: OpenLink,
    place: NestedPlace,
    sub_index: int,
    version: int,
) -> Go:
    """Remove nested record ``sub_index``; :class:`responses.Conflict` when the answers changed."""
    view = place.page
    try:
        remaining = remove_nested_record(view.q, view.response.answers, place.where, sub_index)
    except (PageNotOnPath, RecordNotFound):
        raise NoSuchRecord(place.sub.id) from None
    try:
        responses.save_answers(
            db, context.settings, view.response, version, remaining, [], opened.actor,
            "response.remove_record", group=f"{place.group.id}[{place.index}].{place.sub.id}",
            index=sub_index,
        )  # fmt: skip
    except responses.AlreadySubmitted:
        return Go("done")
    return _back_to_parent(place)
