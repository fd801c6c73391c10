"""The Statement of Work: pre-fill, edit with preview, revisions and diffs, sent and revision
requests, and exports (DOCX, PDF, Markdown, HTML) rendered once by the worker."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from questionnaire.services import exports, sow, sow_desk
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.errors import render_error
from questionnaire.web.forms import ActionForm
from questionnaire.web.markdown import render

from .blueprint import actor, bp, checked_form
from .downloads import served

NO_TEXT = f"The SoW must have some text and at most {sow.MAX_MARKDOWN} characters."


@bp.errorhandler(sow_desk.NotFound)
def _not_found(exc: sow_desk.NotFound) -> Any:
    return render_error(404, str(exc))


def sow_page_html(
    workspace: sow_desk.Workspace,
    markdown: str,
    *,
    conflict: bool = False,
    send_errors: dict[str, str] | None = None,
    send_typed: dict[str, str] | None = None,
) -> str:
    """The SoW page; ``send_errors`` and ``send_typed``: the send form as it was posted."""
    engagement = workspace.engagement
    typed = send_typed or {
        "to_name": engagement.contact_name or "", "to_address": engagement.contact_email or ""
    }  # fmt: skip
    return render_template(
        "engineer/sow.html", engagement=engagement, draft=workspace.draft,
        current=workspace.current, preview=render(workspace.current.markdown), form=ActionForm(),
        markdown=markdown, conflict=conflict, exports=workspace.exports, formats=exports.NAMES,
        review=workspace.review, send_errors=send_errors or {}, send_typed=typed,
        error_list=list((send_errors or {}).items()), unconfirmed=workspace.unconfirmed,
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/sow")
def sow_page(engagement_id: int) -> Any:
    workspace = sow_desk.workspace(db.session(), engagement_id)
    if workspace is None:
        return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="sow"))
    return sow_page_html(workspace, workspace.current.markdown)


@bp.post("/engagements/<int:engagement_id>/sow/generate")
def sow_generate(engagement_id: int) -> Any:
    checked_form()
    try:
        sow_desk.request_prefill(db.session(), engagement_id, actor())
    except sow_desk.NotStarted:
        abort(409, description="The customer has not started the questionnaire yet.")
    flash("The SoW is being pre-filled from the customer's answers: it appears here in a moment.")
    return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="sow"))


@bp.post("/engagements/<int:engagement_id>/sow")
def sow_save(engagement_id: int) -> Any:
    checked_form()
    markdown = request.form.get("markdown", "").replace("\x00", "")
    if len(markdown) > sow.MAX_MARKDOWN or not markdown.strip():
        abort(400, description=NO_TEXT)
    edited_from = request.form.get("edited_from", "")
    note = request.form.get("note", "").replace("\x00", "").strip()[:500] or None
    number = (
        int(edited_from)
        if edited_from.isascii() and edited_from.isdigit() and len(edited_from) < 9
        else -1
    )
    try:
        revision = sow_desk.save(db.session(), engagement_id, markdown, actor(), number, note)
    except sow.RevisionConflict:
        workspace = sow_desk.workspace(db.session(), engagement_id)
        assert workspace is not None
        return sow_page_html(workspace, markdown, conflict=True), 409
    flash(f"Saved as revision {revision.number}.")
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.get("/engagements/<int:engagement_id>/sow/revisions/<int:number>")
def sow_revision(engagement_id: int, number: int) -> Any:
    engagement, draft, revision = sow_desk.revision(db.session(), engagement_id, number)
    return render_template(
        "engineer/revision.html", engagement=engagement, draft=draft, revision=revision,
        preview=render(revision.markdown), form=ActionForm(),
    )  # fmt: skip


def _number(name: str) -> int:
    value = request.args.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) < 9):
        abort(400, description="Choose two revisions to compare.")
    return int(value)


@bp.get("/engagements/<int:engagement_id>/sow/diff")
def sow_diff(engagement_id: int) -> Any:
    older_number, newer_number = _number("from"), _number("to")
    engagement, draft, older = sow_desk.revision(db.session(), engagement_id, older_number)
    _, _, newer = sow_desk.revision(db.session(), engagement_id, newer_number)
    return render_template(
        "engineer/diff.html", engagement=engagement, draft=draft, older=older, newer=newer,
        lines=sow.diff(older, newer),
    )  # fmt: skip


@bp.post("/engagements/<int:engagement_id>/sow/revisions/<int:number>/sent")
def sow_sent(engagement_id: int, number: int) -> Any:
    checked_form()
    try:
        marked = sow_desk.mark_sent(db.session(), engagement_id, number, actor())
    except sow_desk.SowAccepted as accepted:
        abort(409, description=str(accepted))
    flash(
        f"Revision {number} marked as sent to the customer."
        if marked
        else f"Revision {number} was marked as sent already."
    )
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/sow/requests")
def sow_request(engagement_id: int) -> Any:
    checked_form()
    note = request.form.get("note", "").replace("\x00", "").strip()[:5000]
    if not note:
        abort(400, description="Say what the customer asked to change.")
    outcome = sow_desk.record_request(db.session(), engagement_id, note, actor())
    if outcome.over_limit:
        flash(
            f"This is revision request {outcome.count}. Our process allows one revision after the "
            "customer's review: suggest another discovery call to gather what is missing instead.",
            "warning",
        )
    else:
        flash("Revision request recorded.")
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.get("/engagements/<int:engagement_id>/sow/revisions/<int:number>/export.<fmt>")
def sow_export(engagement_id: int, number: int, fmt: str) -> Any:
    """Serve the stored file: a GET changes nothing, and renders nothing."""
    if fmt not in exports.MEDIA_TYPES:
        abort(404, description="Exports are DOCX, PDF, Markdown and HTML.")
    engagement, _, revision = sow_desk.revision(db.session(), engagement_id, number)
    found = exports.find(services().settings, db.session(), revision, engagement.customer, fmt)
    if not isinstance(found, exports.NotReady):
        return served(found)
    page = render_template(
        "engineer/export_waiting.html", engagement=engagement, revision=revision, fmt=fmt,
        name=exports.NAMES[fmt], state=found, form=ActionForm(),
    )  # fmt: skip
    return page, 409 if found.status is not None and found.error else 202


@bp.post("/engagements/<int:engagement_id>/sow/revisions/<int:number>/export.<fmt>")
def sow_prepare_export(engagement_id: int, number: int, fmt: str) -> Any:
    checked_form()
    if fmt not in exports.RENDERED:
        abort(404, description="Only DOCX, PDF and HTML are prepared in the background.")
    sow_desk.prepare_export(db.session(), engagement_id, number, fmt)
    return redirect(url_for(".sow_export", engagement_id=engagement_id, number=number, fmt=fmt))
