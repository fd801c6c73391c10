"""Rendering question pages and record pages from what the use cases return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template

from questionnaire.engine import PageState
from questionnaire.engine.model import Question
from questionnaire.services.inputs import input_values
from questionnaire.services.journey import PageView, preview_page
from questionnaire.services.records import RecordView

from .forms import ActionForm


def page_questions(state: PageState) -> list[Question]:
    """The questions shown on the page now."""
    return [shown.question for shown in state.questions]


def all_questions(view: PageView) -> list[Question]:
    """Every question of the page, shown or not: a POST may reveal some (the server decides)."""
    return [cq.question for cq in view.q.pages[view.page_id].questions]


def _ordered_errors(state: PageState, errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """Errors in the order of the questions on the page, for the error summary."""
    order = {shown.id: n for n, shown in enumerate(state.questions)}
    keyed = sorted(errors.items(), key=lambda item: order.get(item[0].split("[")[0], len(order)))
    return [(key, str(message)) for key, message in keyed]


def render_page(
    view: PageView,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    notice: str | None = None,
    status: int = 200,
    revealed: tuple[str, ...] = (),
) -> tuple[str, int]:
    """The page: typed ``values`` shown back (else the stored answers), with ``errors``."""
    state = view.state
    if values is None:
        values = input_values(page_questions(state), view.response.answers)
    errors = errors or {}
    html = render_template(
        "customer/page.html",
        q=view.q,
        view=view,
        state=state,
        version=str(view.response.version),
        values=values,
        errors=errors,
        error_list=_ordered_errors(state, errors),
        notice=notice,
        revealed=revealed,
    )
    return html, status


def render_preview(view: PageView, typed: Mapping[str, Any], version: str) -> str:
    """The page's questions for what is typed so far (the script swaps them in)."""
    state = preview_page(view, typed)
    values = {**input_values(page_questions(state), {}), **typed}
    return render_template(
        "customer/_questions.html",
        q=view.q,
        view=view,
        state=state,
        version=version,
        values=values,
        errors={},
        error_list=[],
        notice=None,
        revealed=(),
    )


def render_record(record: RecordView) -> tuple[str, int]:
    form = ActionForm()
    form.version.data = str(record.page.response.version)
    order = {f.id: n for n, f in enumerate(record.field_questions)}
    error_list = sorted(record.errors.items(), key=lambda item: order.get(item[0], len(order)))
    html = render_template(
        "customer/record.html",
        q=record.page.q,
        view=record.page,
        group=record.group,
        index=record.index,
        fields=record.fields,
        form=form,
        values=record.values,
        errors=dict(record.errors),
        error_list=error_list,
        notice=record.notice,
    )
    return html, record.status
