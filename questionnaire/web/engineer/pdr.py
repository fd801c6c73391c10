"""The Project Detail Record: made from the accepted SoW, its tables edited one row at a time
(a form per row, so nothing needs JavaScript), its revisions, their diff, and exports.

Each view reads the request, calls one use case of ``services/pdr_desk.py`` and renders or
redirects. A row posted with errors comes back with the error summary and what was typed (400);
posted from a stale page, with what was typed and a warning (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from questionnaire.delivery import TABLES, diff, parse_location
from questionnaire.delivery import pdr as content
from questionnaire.services import pdr_desk, pdr_exports
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm
from questionnaire.web.markdown import render

from .blueprint import actor, bp, checked_form
from .downloads import served


def _location(text: str) -> content.Location:
    try:
        return parse_location(text)
    except content.Refused as refused:
        abort(404, description=str(refused))


def _revision_number(raw: str | None) -> int:
    text = raw or ""
    if not (text.isascii() and text.isdigit() and len(text) < 9):
        abort(400, description="The page did not say which revision it was made from: reload it.")
    return int(text)


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    """What was typed, as the engine's parsers read it (they refuse control characters)."""
    return {key: value for key, value in values.items() if key not in ("csrf_token", "at")}


@bp.get("/engagements/<int:engagement_id>/pdr")
def pdr_page(engagement_id: int) -> Any:
    session = db.session()
    workspace = pdr_desk.workspace(session, engagement_id)
    if workspace is None:
        engagement = pdr_desk.engagement(session, engagement_id)
        ready = pdr_desk.accepted_draft(session, engagement_id) is not None
        return render_template("engineer/pdr_start.html", engagement=engagement, ready=ready,
                               form=ActionForm())  # fmt: skip
    return render_template(
        "engineer/pdr.html", w=workspace, tables=TABLES, show=content.display_value,
        proposed=content.PROPOSED, form=ActionForm(), formats=pdr_exports.NAMES,
    )  # fmt: skip


@bp.post("/engagements/<int:engagement_id>/pdr")
def pdr_create(engagement_id: int) -> Any:
    checked_form()
    try:
        pdr_desk.create(db.session(), engagement_id, actor())
    except pdr_desk.NoAcceptedSow as refused:
        abort(409, description=str(refused))
    flash("The Project Detail Record was made from the accepted Statement of Work. Check each "
          "proposed value: saving a row confirms it.")  # fmt: skip
    return redirect(url_for(".pdr_page", engagement_id=engagement_id), 303)


def _row_page(
    engagement_id: int, at: str, typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None, conflict: bool = False,
) -> str:  # fmt: skip
    record = pdr_desk.the_pdr(db.session(), engagement_id)
    current = record.revisions[-1]
    location = _location(at)
    gone = False
    try:
        row = content.row_at(current.content, location)
    except content.Refused as refused:
        if typed is None:
            abort(404, description=str(refused))
        # The row went in the newer revision: what was typed is offered as a row to add.
        location, row, gone = content.Location(location.tables, location.parents, None), None, True
        try:
            content.rows_at(current.content, location)
        except content.Refused:
            abort(409, description="The row you were changing and the one it belonged to were "
                                   "removed in a newer revision, so nothing was saved.")  # fmt: skip
    table = location.table()
    values = typed if typed is not None else {
        column.key: content.form_value(column, (row or {}).get(column.key))
        for column in table.columns
    }  # fmt: skip
    return render_template(
        "engineer/pdr_row.html", engagement=record.engagement, current=current, at=location.path,
        table=table, row=row, values=values, errors=errors or {}, conflict=conflict, gone=gone,
        error_list=list((errors or {}).items()), proposed=(row or {}).get(content.PROPOSED, {}),
        form=ActionForm(),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/pdr/row")
def pdr_row(engagement_id: int) -> Any:
    return _row_page(engagement_id, request.args.get("at", ""))


@bp.post("/engagements/<int:engagement_id>/pdr/row")
def pdr_row_save(engagement_id: int) -> Any:
    checked_form()
    at = request.form.get("at", "")
    _location(at)
    edited_from = _revision_number(request.form.get("edited_from"))
    typed = _clean(request.form)
    try:
        saved = pdr_desk.save_row(db.session(), engagement_id, at, typed, edited_from, actor())
    except pdr_desk.RowInvalid as invalid:
        return _row_page(engagement_id, at, typed, invalid.errors), 400
    except pdr_desk.RevisionConflict:
        return _row_page(engagement_id, at, typed, conflict=True), 409
    except pdr_desk.Refused as refused:
        abort(404, description=str(refused))
    flash(f"{saved.note}: saved as revision {saved.number}.")
    return redirect(
        url_for(".pdr_page", engagement_id=engagement_id, _anchor=at.split(".")[0]), 303
    )


@bp.post("/engagements/<int:engagement_id>/pdr/remove")
def pdr_row_remove(engagement_id: int) -> Any:
    checked_form()
    at = request.form.get("at", "")
    _location(at)
    edited_from = _revision_number(request.form.get("edited_from"))
    try:
        saved = pdr_desk.remove_row(db.session(), engagement_id, at, edited_from, actor())
    except pdr_desk.RevisionConflict:
        abort(409, description="Someone saved a newer revision of the record since you opened "
                               "the page, so nothing was removed. Reload it and check the row.")  # fmt: skip
    except pdr_desk.Refused as refused:
        abort(404, description=str(refused))
    flash(f"{saved.note}: saved as revision {saved.number}. Earlier revisions still hold it.")
    return redirect(
        url_for(".pdr_page", engagement_id=engagement_id, _anchor=at.split(".")[0]), 303
    )


@bp.get("/engagements/<int:engagement_id>/pdr/revisions/<int:number>")
def pdr_revision(engagement_id: int, number: int) -> Any:
    revision = pdr_desk.revision(db.session(), engagement_id, number)
    return render_template(
        "engineer/pdr_revision.html", engagement=revision.pdr.engagement, revision=revision,
        preview=render(pdr_exports.markdown_of(revision)),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/pdr/diff")
def pdr_diff(engagement_id: int) -> Any:
    older_number = _revision_number(request.args.get("from"))
    newer_number = _revision_number(request.args.get("to"))
    older = pdr_desk.revision(db.session(), engagement_id, older_number)
    newer = pdr_desk.revision(db.session(), engagement_id, newer_number)
    return render_template(
        "engineer/pdr_diff.html", engagement=older.pdr.engagement, older=older, newer=newer,
        changes=diff(older.content, newer.content),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/pdr/revisions/<int:number>/export.<fmt>")
def pdr_export(engagement_id: int, number: int, fmt: str) -> Any:
    """Serve the stored file: a GET changes nothing, and renders nothing."""
    if fmt not in pdr_exports.MEDIA_TYPES:
        abort(404, description="Exports are DOCX, PDF, Markdown and HTML.")
    revision = pdr_desk.revision(db.session(), engagement_id, number)
    found = pdr_exports.find(services().settings, db.session(), revision, fmt)
    if not isinstance(found, pdr_exports.NotReady):
        return served(found)
    page = render_template(
        "engineer/pdr_export_waiting.html", engagement=revision.pdr.engagement, revision=revision,
        fmt=fmt, name=pdr_exports.NAMES[fmt], state=found, form=ActionForm(),
    )  # fmt: skip
    return page, 409 if found.status is not None and found.error else 202


@bp.post("/engagements/<int:engagement_id>/pdr/revisions/<int:number>/export.<fmt>")
def pdr_prepare_export(engagement_id: int, number: int, fmt: str) -> Any:
    checked_form()
    if fmt not in pdr_exports.RENDERED:
        abort(404, description="Only DOCX, PDF and HTML are prepared in the background.")
    pdr_desk.prepare_export(db.session(), engagement_id, number, fmt)
    return redirect(url_for(".pdr_export", engagement_id=engagement_id, number=number, fmt=fmt))
