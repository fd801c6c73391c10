"""The Statement of Work: pre-fill, edit with preview, revisions and diffs, sent and revision
requests, and exports (DOCX, PDF, Markdown, HTML)."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from questionnaire.services import audit, sow
from questionnaire.services.definitions import registry
from questionnaire.store import db
from questionnaire.store.models import Engagement, SowDraft, SowRevision
from questionnaire.web.forms import ActionForm
from questionnaire.web.markdown import render

from .blueprint import actor, bp, checked_form, engagement_or_404

MAX_MARKDOWN = 500_000
#: Format -> (media type, the exporter in sow_prefill.export; each takes Markdown and a title).
EXPORTS = {
    "md": ("text/markdown; charset=utf-8", "to_markdown"),
    "html": ("text/html; charset=utf-8", "to_html"),
    "pdf": ("application/pdf", "to_pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "to_docx"),
}


def _draft_or_404(engagement_id: int) -> tuple[Engagement, SowDraft]:
    engagement = engagement_or_404(engagement_id)
    draft = sow.draft_of(db.session(), engagement)
    if draft is None:
        abort(404, description="There is no SoW draft yet.")
    return engagement, draft


def _revision(engagement_id: int, number: int) -> tuple[Engagement, SowDraft, SowRevision]:
    engagement = engagement_or_404(engagement_id)
    draft = sow.draft_of(db.session(), engagement)
    revision = next((r for r in draft.revisions if r.number == number), None) if draft else None
    if draft is None or revision is None:
        abort(404, description="There is no such revision.")
    return engagement, draft, revision


@bp.get("/engagements/<int:engagement_id>/sow")
def sow_page(engagement_id: int) -> Any:
    engagement = engagement_or_404(engagement_id)
    draft = sow.draft_of(db.session(), engagement)
    if draft is None or not draft.revisions:
        return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="sow"))
    current = draft.revisions[-1]
    form = ActionForm()
    return render_template(
        "engineer/sow.html",
        engagement=engagement,
        draft=draft,
        current=current,
        preview=render(current.markdown),
        form=form,
        markdown=current.markdown,
        conflict=False,
    )


@bp.post("/engagements/<int:engagement_id>/sow/generate")
def sow_generate(engagement_id: int) -> Any:
    checked_form()
    engagement = engagement_or_404(engagement_id)
    response = engagement.responses[-1] if engagement.responses else None
    if response is None:
        abort(409, description="The customer has not started the questionnaire yet.")
    q = registry().by_hash(db.session(), response.definition_sha256)
    try:
        revision = sow.generate(db.session(), q, response, actor())
    except sow.TemplatesUnavailable as exc:
        abort(503, description=f"The SoW templates have a problem: {exc}")
    flash(f"Revision {revision.number} pre-filled from the customer's answers.")
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/sow")
def sow_save(engagement_id: int) -> Any:
    checked_form()
    engagement, draft = _draft_or_404(engagement_id)
    markdown = request.form.get("markdown", "").replace("\x00", "")
    edited_from = request.form.get("edited_from", "")
    if len(markdown) > MAX_MARKDOWN or not markdown.strip():
        abort(
            400, description=f"The SoW must have some text and at most {MAX_MARKDOWN} characters."
        )
    note = request.form.get("note", "").strip()[:500] or None
    try:
        revision = sow.save_revision(
            db.session(),
            draft,
            markdown,
            actor(),
            int(edited_from) if edited_from.isdigit() else -1,
            note,
        )
    except sow.RevisionConflict:
        current = draft.revisions[-1]
        page = render_template(
            "engineer/sow.html", engagement=engagement, draft=draft, current=current,
            preview=render(current.markdown), form=ActionForm(), markdown=markdown, conflict=True,
        )  # fmt: skip
        return page, 409
    flash(f"Saved as revision {revision.number}.")
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.get("/engagements/<int:engagement_id>/sow/revisions/<int:number>")
def sow_revision(engagement_id: int, number: int) -> Any:
    engagement, draft, revision = _revision(engagement_id, number)
    return render_template(
        "engineer/revision.html", engagement=engagement, draft=draft, revision=revision,
        preview=render(revision.markdown), form=ActionForm(),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/sow/diff")
def sow_diff(engagement_id: int) -> Any:
    older_number = request.args.get("from", "")
    newer_number = request.args.get("to", "")
    if not (older_number.isdigit() and newer_number.isdigit()):
        abort(400, description="Choose two revisions to compare.")
    engagement, draft, older = _revision(engagement_id, int(older_number))
    _, _, newer = _revision(engagement_id, int(newer_number))
    return render_template(
        "engineer/diff.html", engagement=engagement, draft=draft, older=older, newer=newer,
        lines=sow.diff(older, newer),
    )  # fmt: skip


@bp.post("/engagements/<int:engagement_id>/sow/revisions/<int:number>/sent")
def sow_sent(engagement_id: int, number: int) -> Any:
    checked_form()
    _, _, revision = _revision(engagement_id, number)
    sow.mark_sent(db.session(), revision, actor())
    flash(f"Revision {number} marked as sent to the customer.")
    return redirect(url_for(".sow_page", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/sow/requests")
def sow_request(engagement_id: int) -> Any:
    checked_form()
    _, draft = _draft_or_404(engagement_id)
    note = request.form.get("note", "").replace("\x00", "").strip()[:5000]
    if not note:
        abort(400, description="Say what the customer asked to change.")
    outcome = sow.record_request(db.session(), draft, note, actor())
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
    if fmt not in EXPORTS:
        abort(404, description="Exports are DOCX, PDF, Markdown and HTML.")
    engagement, draft, revision = _revision(engagement_id, number)
    # Imported on first use: WeasyPrint is heavy, and most requests never export.
    from sow_prefill import export

    media_type, exporter = EXPORTS[fmt]
    convert = getattr(export, exporter)
    title = str(draft.prefill.get("title") or f"Statement of Work: {engagement.customer}")
    body = convert(revision.markdown, title)
    audit.record(
        db.session(),
        actor(),
        "sow.export",
        engagement_id=engagement.id,
        revision=number,
        format=fmt,
    )
    db.session().commit()
    name = re.sub(r"[^A-Za-z0-9]+", "-", engagement.customer).strip("-")[:60] or "customer"
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="SoW-{name}-r{number}.{fmt}"'
    return response
