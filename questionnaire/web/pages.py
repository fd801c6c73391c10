"""Rendering question pages and record pages from the engine's page state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template
from werkzeug.datastructures import MultiDict

from questionnaire.engine import FlowResult, PageState, Questionnaire, ShownQuestion, evaluate
from questionnaire.engine.model import Question
from questionnaire.store.models import Response

from .forms import ActionForm, input_values


@dataclass(frozen=True)
class PageView:
    q: Questionnaire
    response: Response
    flow: FlowResult
    page_id: str

    @property
    def state(self) -> PageState:
        return self.flow.pages[self.page_id]

    @property
    def previous(self) -> str | None:
        return self.flow.previous_page(self.page_id)

    @property
    def number(self) -> int:
        return self.flow.path.index(self.page_id) + 1


def page_questions(state: PageState) -> list[Question]:
    """The questions shown on the page now."""
    return [shown.question for shown in state.questions]


def all_questions(view: PageView) -> list[Question]:
    """Every question of the page, shown or not: a POST may reveal some (the server decides)."""
    return [cq.question for cq in view.q.pages[view.page_id].questions]


def _ordered_errors(state: PageState, errors: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Errors in the order of the questions on the page, for the error summary."""
    order = {shown.id: n for n, shown in enumerate(state.questions)}
    keyed = sorted(errors.items(), key=lambda item: order.get(item[0].split("[")[0], len(order)))
    return [(key, str(message)) for key, message in keyed]


def render_page(
    view: PageView,
    version: str,
    values: Mapping[str, Any],
    errors: Mapping[str, Any],
    *,
    notice: str | None = None,
    status: int = 200,
    fragment: bool = False,
    preview: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    state = view.state
    if preview is not None:
        # Re-evaluate visibility with what is typed so far (not saved); keep the typed values.
        state = previewed(view, preview)
        values = {**input_values([s.question for s in state.questions], {}), **preview}
    template = "customer/_questions.html" if fragment else "customer/page.html"
    messages = {key: str(getattr(m, "message", m)) for key, m in errors.items()}
    html = render_template(
        template,
        q=view.q,
        view=view,
        state=state,
        version=version,
        values=values,
        errors=messages,
        error_list=_ordered_errors(state, messages),
        notice=notice,
    )
    return html, status


def previewed(view: PageView, typed: Mapping[str, Any]) -> PageState:
    """The page as it applies to what is typed so far (nothing is saved)."""
    from questionnaire.engine.answers import Invalid, parse_answer

    answers = dict(view.response.answers)
    for question in all_questions(view):
        if question.id in typed:
            parsed = parse_answer(question, typed[question.id])
            answers[question.id] = None if isinstance(parsed, Invalid) else parsed
    flow = evaluate(view.q, answers, until=view.page_id)
    return flow.pages[view.page_id]


def record_values(
    form: MultiDict[str, str] | None, group: ShownQuestion, index: int | None
) -> dict[str, Any]:
    """The values a record form shows: what was posted, else the stored record."""
    fields = group.question.questions  # type: ignore[union-attr]
    if form is not None:
        return {
            q.id: form.getlist(q.id) if q.type == "multi_choice" else form.get(q.id, "")
            for q in fields
        }
    stored = {}
    if index is not None and isinstance(group.value, list) and index < len(group.value):
        stored = group.value[index]
    return input_values(fields, stored)


def _record_fields(
    view: PageView, group: ShownQuestion, index: int | None, values: Mapping[str, Any]
) -> tuple[ShownQuestion, ...]:
    """The record's visible fields for the values shown, as the engine decides them."""
    from questionnaire.engine.answers import Invalid, parse_answer

    record = {}
    for field in group.question.questions:  # type: ignore[union-attr]
        parsed = parse_answer(field, values.get(field.id))
        if parsed is not None and not isinstance(parsed, Invalid):
            record[field.id] = parsed
    records = list(group.value) if isinstance(group.value, list) else []
    position = len(records) if index is None else index
    records[position : position + 1] = [record]
    flow = evaluate(view.q, {**view.response.answers, group.id: records}, until=view.page_id)
    for shown in flow.pages[view.page_id].questions:
        if shown.id == group.id and position < len(shown.records):
            return shown.records[position]
    return ()


def render_record(
    view: PageView,
    group: ShownQuestion,
    index: int | None,
    form_data: MultiDict[str, str] | None,
    errors: Mapping[str, str],
    *,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    form = ActionForm()
    form.version.data = str(view.response.version)
    values = record_values(form_data, group, index)
    fields = _record_fields(view, group, index, values)
    order = {f.id: n for n, f in enumerate(group.question.questions)}  # type: ignore[union-attr]
    error_list = sorted(errors.items(), key=lambda item: order.get(item[0], len(order)))
    html = render_template(
        "customer/record.html",
        q=view.q,
        view=view,
        group=group,
        index=index,
        fields=fields,
        form=form,
        values=values,
        errors=dict(errors),
        error_list=error_list,
        notice=notice,
    )
    return html, status
