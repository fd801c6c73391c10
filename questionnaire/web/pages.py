"""Rendering the customer's pages from what the use cases return.

The page frames are Jinja templates; the parts that repeat per question (fields, records, the
review's rows) are built in Python (:mod:`.fields`, :mod:`.group_fields`, :mod:`.summary`), and
the page's URLs are made once per request (:mod:`.customer_urls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app

from questionnaire.engine import FlowResult, PageState
from questionnaire.engine.model import Question
from questionnaire.services.inputs import input_value

from . import fields
from .customer_urls import customer_urls
from .nested_render import nested_lists, own_fields
from .summary import summary

if TYPE_CHECKING:  # the authors' preview renders pages too, with no database to import
    from questionnaire.services.journey import PageView
    from questionnaire.services.records import RecordView


def _render(template: str, **context: Any) -> str:
    """A customer template rendered from the app's Jinja environment, without Flask's
    ``render_template`` around it (some 30 µs a page): customer pages use no context
    processor's values (nobody signs in, and ``g``, ``request``, ``session``, ``config``,
    ``url_for`` and ``csrf_token`` are the environment's globals), and no one listens to the
    template signals."""
    return current_app.jinja_env.get_template(template).render(context)


def all_questions(view: PageView) -> list[Question]:
    """Every question of the page, shown or not: a POST may reveal some (the server decides)."""
    return [cq.question for cq in view.q.pages[view.page_id].questions]


def shown_values(state: PageState) -> dict[str, Any]:
    """The stored answers of the questions shown, as their inputs show them. They come from
    the flow (which holds each shown question's answer), so a page never reads the whole set
    of answers again."""
    # An unanswered question shows its starting value: saved only when the respondent saves.
    return {
        shown.id: input_value(shown.question, shown.default if shown.value is None else shown.value)
        for shown in state.questions
    }


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
) -> tuple[str, int]:
    """The page: typed ``values`` shown back (else the stored answers), with ``errors``."""
    state = view.state
    values = shown_values(state) if values is None else values
    errors = errors or {}
    urls = customer_urls()
    with_zones = any(shown.type == "timezone" for shown in state.questions)
    html = _render(
        "customer/page.html",
        q=view.q,
        view=view,
        state=state,
        version=str(view.response.version),
        number=view.number,
        pages=len(view.flow.path),
        percent=round(view.flow.progress * 100),
        error_list=_ordered_errors(state, errors),
        notice=notice,
        back=urls.page(view.previous) if view.previous else urls.start,
        action=urls.page(state.id),
        preview=urls.preview(state.id),
        questions=fields.questions(state, values, errors, urls),
        time_zones=fields.time_zone_list() if with_zones else "",
    )
    return html, status


def render_preview(view: PageView, typed: Mapping[str, Any]) -> str:
    """The page's questions for what is typed so far (the script swaps them in)."""
    from questionnaire.services.journey import preview_page  # see TYPE_CHECKING above

    state = preview_page(view, typed)
    # What is typed, and nothing stored: questions it does not hold (files) show empty.
    empty = {shown.id: input_value(shown.question, None) for shown in state.questions}
    values = {**empty, **typed}
    return str(fields.questions(state, values, {}, customer_urls()))


def render_record(record: RecordView) -> tuple[str, int]:
    order = {f.id: n for n, f in enumerate(record.field_questions)}
    error_list = sorted(record.errors.items(), key=lambda item: order.get(item[0], len(order)))
    urls = customer_urls()
    html = _render(
        "customer/record.html",
        group=record.group,
        index=record.index,
        version=str(record.page.response.version),
        fields=fields.fields(own_fields(record.fields), record.values, record.errors),
        error_list=error_list,
        notice=record.notice,
        back=urls.page(record.page.page_id, record.group.id),
        nested=nested_lists(record, urls),
    )
    return html, record.status


def render_summary(template: str, flow: FlowResult, *, changeable: bool, **context: Any) -> str:
    """The review (``changeable``: a Change link per answer) or the summary after submission."""
    urls = customer_urls()
    return _render(
        template,
        flow=flow,
        urls=urls,
        summary=summary(flow, urls if changeable else None),
        **context,
    )
