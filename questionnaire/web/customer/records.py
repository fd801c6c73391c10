"""Repeating groups: adding, changing and removing one record at a time, without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for

from questionnaire.engine import PageNotOnPath, RecordNotFound
from questionnaire.services import responses
from questionnaire.store import db
from questionnaire.web.forms import ActionForm
from questionnaire.web.pages import (
    record_values,
    render_record,
)

from .blueprint import bp, page_view, posted_version, to_resume


@bp.route("/p/<page_id>/<group>/<item>", methods=["GET", "POST"])
def record(page_id: str, group: str, item: str) -> Any:
    view = page_view(page_id)
    index = None if item == "new" else _index(item)
    shown = next((q for q in view.state.questions if q.id == group and q.type == "repeat"), None)
    if shown is None or (index is not None and index >= len(shown.records)):
        abort(404, description="That item does not exist.")
    if request.method == "GET":
        return render_record(view, shown, index, None, {})
    form = ActionForm()
    if not form.validate_on_submit():
        return render_record(view, shown, index, request.form, {}, notice="session", status=400)
    try:
        result = responses.save_record(
            db.session(),
            g.q,
            g.response,
            posted_version(form),
            group,
            index,
            record_values(request.form, shown, index),
            g.actor,
        )
    except responses.Conflict:
        return render_record(view, shown, index, request.form, {}, notice="conflict", status=409)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except (PageNotOnPath, RecordNotFound):
        return to_resume()
    if result.errors:
        return render_record(view, shown, index, request.form, result.errors, status=400)
    return redirect(url_for(".page", page_id=page_id, _anchor=group))


@bp.route("/p/<page_id>/<group>/<item>/remove", methods=["GET", "POST"])
def remove(page_id: str, group: str, item: str) -> Any:
    view = page_view(page_id)
    index = _index(item)
    shown = next((q for q in view.state.questions if q.id == group and q.type == "repeat"), None)
    if shown is None or index >= len(shown.records):
        abort(404, description="That item does not exist.")
    form = ActionForm()
    if request.method == "GET":
        form.version.data = str(g.response.version)
        return render_template(
            "customer/remove.html", q=g.q, view=view, group=shown, index=index, form=form
        )
    if not form.validate_on_submit():
        abort(400, description="Your session expired. Go back and try again.")
    if request.form.get("confirm") == "yes":
        try:
            responses.delete_record(
                db.session(), g.q, g.response, posted_version(form), group, index, g.actor
            )
        except responses.Conflict:
            abort(
                409,
                description="Your answers were changed in another window. Go back and try again.",
            )
        except responses.AlreadySubmitted:
            return redirect(url_for(".done"))
    return redirect(url_for(".page", page_id=page_id, _anchor=group))


def _index(item: str) -> int:
    if not item.isdigit() or len(item) > 4:
        abort(404, description="That item does not exist.")
    return int(item)
