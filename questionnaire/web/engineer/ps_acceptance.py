"""The Customer PS Acceptance Document's page: generate it from the engagement's records, edit
it as Markdown, download each revision, send one to the customer and follow what they do.

The customer's side is the SoW's own (``/s/<token>/``, ``engineer/_sow_customer.html``): only
the generating and the endpoints are this page's.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from questionnaire.services import exports, ps_acceptance, review_links, sow, sow_desk
from questionnaire.services.acceptance_record import engineer_record
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.errors import render_error
from questionnaire.web.forms import ActionForm
from questionnaire.web.markdown import render

from .blueprint import actor, bp, checked_form
from .downloads import served

PAGE = "/engagements/<int:engagement_id>/acceptance-document"
ENDPOINTS = {"send": "engineer.ps_acceptance_send", "record": "engineer.ps_acceptance_record"}
EXPORT_ENDPOINTS = {
    "page": "engineer.ps_acceptance_page", "title": ps_acceptance.KIND.title,
    "export": "engineer.ps_acceptance_export", "prepare": "engineer.ps_acceptance_prepare_export",
}  # fmt: skip
NO_TEXT = f"The document must have some text and at most {sow.MAX_MARKDOWN} characters."


def page_html(
    workspace: ps_acceptance.Workspace,
    markdown: str | None = None,
    *,
    conflict: bool = False,
    errors: dict[str, str] | None = None,
    send_typed: dict[str, str] | None = None,
) -> str:
    """The page; ``errors`` and ``send_typed`` are a form as it was posted."""
    engagement, current = workspace.engagement, workspace.current
    typed = send_typed or {
        "to_name": engagement.contact_name or "", "to_address": engagement.contact_email or ""
    }  # fmt: skip
    return render_template(
        "engineer/ps_acceptance.html", engagement=engagement, draft=workspace.draft,
        current=current, preview=render(current.markdown) if current else None,
        markdown=markdown if markdown is not None else (current.markdown if current else ""),
        conflict=conflict, exports=workspace.exports, review=workspace.review,
        form=ActionForm(), send_errors=errors or {}, send_typed=typed,
        error_list=list((errors or {}).items()), review_endpoints=ENDPOINTS,
        accepted_effect="The engagement is complete.", unconfirmed=[],
    )  # fmt: skip


@bp.get(PAGE)
def ps_acceptance_page(engagement_id: int) -> Any:
    return page_html(ps_acceptance.workspace(db.session(), engagement_id))


@bp.post(f"{PAGE}/generate")
def ps_acceptance_generate(engagement_id: int) -> Any:
    checked_form()
    try:
        made = ps_acceptance.generate(db.session(), services(), engagement_id, actor())
    except sow_desk.SowAccepted as accepted:
        abort(409, description=f"{accepted} Nothing was generated.")
    except ps_acceptance.TemplateBroken as broken:
        return render_error(503, str(broken))
    flash(f"Revision {made.number} was generated from the engagement's records.")
    return redirect(url_for(".ps_acceptance_page", engagement_id=engagement_id))


@bp.post(PAGE)
def ps_acceptance_save(engagement_id: int) -> Any:
    checked_form()
    markdown, note = request.form.get("markdown", ""), request.form.get("note", "").strip()
    try:
        number = int(request.form.get("edited_from", ""))
    except ValueError:
        abort(400, description="The form names no revision it was edited from.")
    workspace = ps_acceptance.workspace(db.session(), engagement_id)
    if len(markdown) > sow.MAX_MARKDOWN or not markdown.strip():
        return page_html(workspace, markdown, errors={"markdown": NO_TEXT}), 400
    try:
        made = ps_acceptance.save(
            db.session(), engagement_id, markdown, actor(), number, note[:500] or None
        )
    except sow.RevisionConflict:
        return page_html(ps_acceptance.workspace(db.session(), engagement_id), markdown,
                         conflict=True), 409  # fmt: skip
    except sow_desk.SowAccepted as accepted:
        abort(409, description=f"{accepted} Nothing was saved.")
    flash(f"Saved as revision {made.number}.")
    return redirect(url_for(".ps_acceptance_page", engagement_id=engagement_id))


@bp.post(f"{PAGE}/revisions/<int:number>/send")
def ps_acceptance_send(engagement_id: int, number: int) -> Any:
    checked_form()
    typed = {name: request.form.get(name, "") for name in ("to_name", "to_address")}
    try:
        ps_acceptance.send(db.session(), engagement_id, number, typed["to_name"],
                           typed["to_address"], actor())  # fmt: skip
    except review_links.InvalidRecipient as invalid:
        workspace = ps_acceptance.workspace(db.session(), engagement_id)
        return page_html(workspace, errors=invalid.errors, send_typed=typed), 400
    except (review_links.NotLatest, sow_desk.SowAccepted) as refused:
        abort(409, description=f"{refused} Nothing was sent.")
    flash(
        f"Revision {number} is on its way to {typed['to_address'].strip()}: the email goes, with "
        "the PDF attached, as soon as the PDF is ready."
    )
    return redirect(url_for(".ps_acceptance_page", engagement_id=engagement_id, _anchor="customer"))


@bp.get(f"{PAGE}/revisions/<int:number>/export.<fmt>")
def ps_acceptance_export(engagement_id: int, number: int, fmt: str) -> Any:
    """Serve the stored file: a GET changes nothing, and renders nothing."""
    if fmt not in exports.MEDIA_TYPES:
        abort(404, description="Exports are DOCX, PDF, Markdown and HTML.")
    _, revision = ps_acceptance.revision(db.session(), engagement_id, number)
    engagement = sow_desk.engagement(db.session(), engagement_id)
    found = exports.find(services().settings, db.session(), revision, engagement.customer, fmt)
    if not isinstance(found, exports.NotReady):
        return served(found)
    page = render_template(
        "engineer/export_waiting.html", engagement=engagement, revision=revision, fmt=fmt,
        name=exports.NAMES[fmt], state=found, form=ActionForm(), export_endpoints=EXPORT_ENDPOINTS,
    )  # fmt: skip
    return page, 409 if found.status is not None and found.error else 202


@bp.post(f"{PAGE}/revisions/<int:number>/export.<fmt>")
def ps_acceptance_prepare_export(engagement_id: int, number: int, fmt: str) -> Any:
    checked_form()
    if fmt not in exports.RENDERED:
        abort(404, description="Only DOCX, PDF and HTML are prepared in the background.")
    ps_acceptance.prepare_export(db.session(), engagement_id, number, fmt)
    return redirect(
        url_for(".ps_acceptance_export", engagement_id=engagement_id, number=number, fmt=fmt)
    )


@bp.get(f"{PAGE}/acceptance.pdf")
def ps_acceptance_record(engagement_id: int) -> Any:
    """The customer's acceptance record, as the worker made it (a GET changes nothing)."""
    found = engineer_record(services().settings, db.session(), engagement_id, ps_acceptance.KIND)
    if found is None:
        abort(409, description="The acceptance record is being made: try again in a moment.")
    return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename, max_age=0)  # fmt: skip
