"""Repeating groups in the preview: adding, changing and removing one record at a time.

As in the app, the engine decides (:func:`~questionnaire.engine.submit_record`,
:func:`~questionnaire.engine.remove_record`) and the forms are the customer's
(:func:`.pages.render_record`, ``customer/remove.html``); the record's visible fields are the
ones the engine's walk shows for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import abort, render_template, request

from questionnaire.engine import (
    FlowResult,
    PageNotOnPath,
    RecordNotFound,
    ShownQuestion,
    remove_record,
    submit_record,
)
from questionnaire.engine.given import is_given
from questionnaire.engine.model import Question, RepeatQuestion
from questionnaire.services.inputs import input_values

from .customer_urls import customer_urls
from .forms import raw_values
from .pages import render_record
from .preview import bp, go_to, page_on_path, preview_of, with_panel
from .preview_state import PreviewPage

if TYPE_CHECKING:
    from questionnaire.services.records import RecordView

NO_SUCH_ITEM = "That item does not exist."


@dataclass(frozen=True)
class PreviewRecord:
    """One record's form, as the customer's record page renders it."""

    page: PreviewPage
    group: ShownQuestion
    index: int | None
    fields: tuple[ShownQuestion, ...]
    values: Mapping[str, Any]
    errors: Mapping[str, str]
    status: int = 200
    notice: str | None = None

    @property
    def field_questions(self) -> tuple[Question, ...]:
        assert isinstance(self.group.question, RepeatQuestion)
        return tuple(self.group.question.questions)


def _index(item: str) -> int | None:
    if item == "new":
        return None
    if not (item.isascii() and item.isdigit()) or len(item) > 4:
        abort(404, description=NO_SUCH_ITEM)
    return int(item)


def _located(page_id: str, group_id: str, index: int | None) -> PreviewRecord | Any:
    """The record a URL names (its stored fields), a redirect, or the file's problems."""
    view = page_on_path(page_id)
    if not isinstance(view, PreviewPage):
        return view
    shown = next((s for s in view.state.questions if s.id == group_id and s.type == "repeat"), None)
    if shown is None or (index is not None and index >= len(shown.records)):
        abort(404, description=NO_SUCH_ITEM)
    if index is None and is_given(shown.question):  # the engagement's records: none is added
        abort(404, description=NO_SUCH_ITEM)
    with_panel(view.q, view, page_id)
    records = shown.value if isinstance(shown.value, list) else []
    stored = records[index] if index is not None and index < len(records) else {}
    empty = PreviewRecord(view, shown, index, (), {}, {})
    values = input_values(empty.field_questions, stored if isinstance(stored, dict) else {})
    fields = shown.records[index] if index is not None else _new_fields(view, shown)
    return PreviewRecord(view, shown, index, fields, values, {})


def _new_fields(view: PreviewPage, group: ShownQuestion) -> tuple[ShownQuestion, ...]:
    """A new record's visible fields: the engine's walk with an empty record added."""
    trial = submit_record(view.q, view.response.answers, group.id, None, {})
    return _record_fields(trial.flow, view.page_id, group.id, len(group.records))


def _record_fields(
    flow: FlowResult, page_id: str, group_id: str, position: int
) -> tuple[ShownQuestion, ...]:
    page = flow.pages.get(page_id)
    for shown in page.questions if page else ():
        if shown.id == group_id and position < len(shown.records):
            return shown.records[position]
    return ()


def _render(record: PreviewRecord) -> tuple[str, int]:
    return render_record(cast("RecordView", record))


@bp.route("/p/<page_id>/<group>/<item>", methods=["GET", "POST"])
def record(page_id: str, group: str, item: str) -> Any:
    index = _index(item)
    located = _located(page_id, group, index)
    if not isinstance(located, PreviewRecord):
        return located
    if request.method == "GET":
        return _render(located)
    view = located.page
    typed = raw_values(located.field_questions)
    try:
        result = submit_record(view.q, view.response.answers, group, index, typed)
    except (PageNotOnPath, RecordNotFound):
        abort(404, description=NO_SUCH_ITEM)
    if result.errors:
        position = len(located.group.records) if index is None else index
        fields = _record_fields(result.flow, page_id, group, position)
        again = PreviewRecord(view, located.group, index, fields, typed, result.errors, 400)
        return _render(again)
    preview_of().save(result.answers)
    return go_to(page_id, anchor=group)


@bp.route("/p/<page_id>/<group>/<item>/remove", methods=["GET", "POST"])
def remove(page_id: str, group: str, item: str) -> Any:
    index = _index(item)
    if index is None:
        abort(404, description=NO_SUCH_ITEM)
    located = _located(page_id, group, index)
    if not isinstance(located, PreviewRecord):
        return located
    view = located.page
    if is_given(located.group.question):  # the engagement's records: none is removed
        abort(404, description=NO_SUCH_ITEM)
    if request.method == "GET":
        return render_template(
            "customer/remove.html", group=located.group, index=index,
            version=str(view.response.version), back=customer_urls().page(page_id, group),
        )  # fmt: skip
    if request.form.get("confirm") == "yes":
        preview_of().save(remove_record(view.response.answers, group, index, view.q))
    return go_to(page_id, anchor=group)
