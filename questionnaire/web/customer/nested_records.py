"""A nested group's records (a service's real servers), each on a page of its own, without
JavaScript: ``/r/<token>/p/<page>/services/0/real_servers/new``, ``.../real_servers/1`` and
``.../real_servers/1/remove``. A URL naming a record that does not exist is a 404."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request

from questionnaire.services import journey, nested_records, records, responses
from questionnaire.services.nested_records import NestedPlace, NestedRecordView
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.customer_urls import customer_urls
from questionnaire.web.nested_render import nested_page_context

from .blueprint import bp, csrf_held, go, opened, posted_version
from .records import NO_SUCH_ITEM, _index

BASE = "/p/<page_id>/<group>/<item>/<sub>/<sub_item>"


def _place(page_id: str, where: tuple[str, int, str], sub_index: int | None) -> Any:
    try:
        return nested_records.locate_nested(services(), opened(), page_id, where, sub_index)
    except records.NoSuchRecord:
        abort(404, description=NO_SUCH_ITEM)


def _parent_url(place: NestedPlace) -> str:
    urls = customer_urls().records(place.page.page_id, place.group.id)
    return f"{urls.change(place.index)}#{place.sub.id}"


def _after(place: NestedPlace, outcome: journey.Go) -> Any:
    """Back to the parent record's page once saved or removed; elsewhere as the use case says."""
    if outcome.to == "page":
        return redirect(_parent_url(place))
    return go(outcome)


def _typed(place: NestedPlace) -> dict[str, Any]:
    return {
        q.id: request.form.getlist(q.id) if q.type == "multi_choice" else request.form.get(q.id, "")
        for q in records.fields_of(place.sub)
    }


def _show(view: NestedRecordView) -> tuple[str, int]:
    page = render_template("customer/record.html", **nested_page_context(view, customer_urls()))
    return page, view.status


@bp.route(BASE, methods=["GET", "POST"])
def nested_record(page_id: str, group: str, item: str, sub: str, sub_item: str) -> Any:
    sub_index = None if sub_item == "new" else _index(sub_item)
    place = _place(page_id, (group, _index(item), sub), sub_index)
    if isinstance(place, journey.Go):
        return go(place)
    if request.method == "GET":
        return _show(nested_records.nested_form(place, sub_index))
    if not csrf_held():
        typed = _typed(place)
        return _show(
            nested_records.nested_form(place, sub_index, typed, status=400, notice="session")
        )
    outcome = nested_records.save_nested(
        db.session(), services(), opened(), place, sub_index, posted_version(), _typed(place)
    )
    return _after(place, outcome) if isinstance(outcome, journey.Go) else _show(outcome)


@bp.route(f"{BASE}/remove", methods=["GET", "POST"])
def nested_remove(page_id: str, group: str, item: str, sub: str, sub_item: str) -> Any:
    sub_index = _index(sub_item)
    place = _place(page_id, (group, _index(item), sub), sub_index)
    if isinstance(place, journey.Go):
        return go(place)
    if request.method == "GET":
        return render_template(
            "customer/remove.html", group=place.sub, index=sub_index,
            version=str(place.page.response.version), back=_parent_url(place),
        )  # fmt: skip
    if not csrf_held():
        abort(400, description="Your session expired. Go back and try again.")
    if request.form.get("confirm") != "yes":
        return redirect(_parent_url(place))
    try:
        target = nested_records.delete_nested(
            db.session(), services(), opened(), place, sub_index, posted_version()
        )
    except records.NoSuchRecord:
        abort(404, description=NO_SUCH_ITEM)
    except responses.Conflict:
        abort(
            409, description="Your answers were changed in another window. Go back and try again."
        )
    return _after(place, target)
