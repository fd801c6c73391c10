"""Repeating groups: adding, changing and removing one record at a time, without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for

from questionnaire.engine.given import is_given
from questionnaire.services import journey, records, responses
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.counted_fields import may_remove
from questionnaire.web.customer_urls import customer_urls
from questionnaire.web.nested_render import removal_note
from questionnaire.web.pages import render_record

from .blueprint import bp, csrf_held, go, opened, posted_version

NO_SUCH_ITEM = "That item does not exist."


def _locate(
    page_id: str, group: str, index: int | None, *, surplus: bool = False
) -> tuple[journey.PageView, Any] | Any:
    try:
        return records.locate(services(), opened(), page_id, group, index, surplus=surplus)
    except records.NoSuchRecord:
        abort(404, description=NO_SUCH_ITEM)


def _typed(located: tuple[journey.PageView, Any]) -> dict[str, Any]:
    """The record's fields as posted (every value, for checkboxes)."""
    fields = records.fields_of(located[1])
    return {
        q.id: request.form.getlist(q.id) if q.type == "multi_choice" else request.form.get(q.id, "")
        for q in fields
    }


@bp.route("/p/<page_id>/<group>/<item>", methods=["GET", "POST"])
def record(page_id: str, group: str, item: str) -> Any:
    index = None if item == "new" else _index(item)
    located = _locate(page_id, group, index)
    if isinstance(located, journey.Go):
        return go(located)
    view, shown = located
    if request.method == "GET":
        return render_record(records.record_form(view, shown, index))
    if not csrf_held():
        return render_record(
            records.record_form(view, shown, index, _typed(located), status=400, notice="session")
        )
    outcome = records.save_record(
        db.session(), services(), opened(), located, index, posted_version(), _typed(located)
    )
    return go(outcome) if isinstance(outcome, journey.Go) else render_record(outcome)


@bp.route("/p/<page_id>/<group>/<item>/remove", methods=["GET", "POST"])
def remove(page_id: str, group: str, item: str) -> Any:
    index = _index(item)
    located = _locate(page_id, group, index, surplus=True)
    if isinstance(located, journey.Go):
        return go(located)
    view, shown = located
    if is_given(shown.question) or not may_remove(shown, index):  # none of these is removed
        abort(404, description=NO_SUCH_ITEM)
    if request.method == "GET":
        return render_template(
            "customer/remove.html", group=shown, index=index, version=str(view.response.version),
            back=customer_urls().page(page_id, group), also=removal_note(shown, index),
        )  # fmt: skip
    if not csrf_held():
        abort(400, description="Your session expired. Go back and try again.")
    if request.form.get("confirm") != "yes":
        return redirect(url_for(".page", page_id=page_id, _anchor=group))
    try:
        target = records.delete_record(
            db.session(), services(), opened(), located, index, posted_version()
        )
    except responses.Conflict:
        abort(
            409, description="Your answers were changed in another window. Go back and try again."
        )
    return go(target)


def _index(item: str) -> int:
    if not (item.isascii() and item.isdigit()) or len(item) > 4:
        abort(404, description=NO_SUCH_ITEM)
    return int(item)
