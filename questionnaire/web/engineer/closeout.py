"""Close-out: the support notes form, the support handover document's downloads, the completed
engagement's record (JSON and CSV) and, for admins, the completion webhook's deliveries.

Each view reads the request, calls one use case (``services/support_notes.py``,
``support_document.py``, ``closeout.py``, ``webhooks.py``) and renders or redirects: with
errors, the notes form again with the error summary and what was typed (400).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for

from questionnaire.services import (
    closeout,
    completion_record,
    support_document,
    support_notes,
    webhooks,
)
from questionnaire.services.sow_desk import engagement as engagement_of
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

RECORD_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _notes_page(
    engagement_id: int, typed: support_notes.NotesForm | None, errors: dict[str, str]
) -> str:
    session = db.session()
    saved = support_notes.notes_of(session, engagement_id)
    return render_template(
        "engineer/support_notes.html", engagement=engagement_of(session, engagement_id),
        saved=saved, typed=typed or support_notes.form_of(saved), labels=support_notes.LABELS,
        closed=support_notes.is_closed(session, engagement_id), errors=errors,
        error_list=list(errors.items()), form=ActionForm(),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/support-notes")
def support_notes_page(engagement_id: int) -> Any:
    return _notes_page(engagement_id, None, {})


@bp.post("/engagements/<int:engagement_id>/support-notes")
def save_support_notes(engagement_id: int) -> Any:
    checked_form()
    typed = support_notes.NotesForm(
        **{name: request.form.get(name, "") for name in support_notes.FIELDS}
    )
    try:
        support_notes.save(db.session(), engagement_id, typed, actor())
    except support_notes.InvalidNotes as invalid:
        return _notes_page(engagement_id, typed, invalid.errors), 400
    except support_notes.NotesClosed:
        errors = {"knowledge": "The engagement is complete: its support handover document was "
                  "made from the notes as they were, so they can no longer be changed"}  # fmt: skip
        return _notes_page(engagement_id, typed, errors), 409
    flash("Support notes saved.")
    return redirect(url_for(".support_notes_page", engagement_id=engagement_id), 303)


@bp.get("/engagements/<int:engagement_id>/support-handover.<fmt>")
def support_handover(engagement_id: int, fmt: str) -> Any:
    """Serve the stored document: a GET changes nothing (Markdown is made on request)."""
    if fmt not in support_document.DOWNLOADS:
        abort(404, description="The support handover document is a PDF, DOCX or Markdown file.")
    session = db.session()
    found = support_document.find(services().settings, session, services(), engagement_id, fmt)
    if isinstance(found, support_document.Inline):
        return _attachment(found.body, found.media_type, found.filename)
    if isinstance(found, support_document.Ready):
        return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                         download_name=found.filename, max_age=0)  # fmt: skip
    page = render_template(
        "engineer/support_handover_waiting.html", state=found, fmt=fmt,
        engagement=engagement_of(session, engagement_id),
    )  # fmt: skip
    return page, 202 if found.status is not None and not found.error else 409


@bp.get("/engagements/<int:engagement_id>/completion.<fmt>")
def completion_download(engagement_id: int, fmt: str) -> Any:
    """The completed engagement's record, as the webhook sends it (JSON) or as one CSV row."""
    if fmt not in RECORD_TYPES:
        abort(404, description="The completed engagement's record is a JSON or CSV file.")
    session = db.session()
    if not support_notes.is_closed(session, engagement_of(session, engagement_id).id):
        abort(404, description="The engagement is not complete yet: its record is made when "
              "the customer accepts the acceptance document.")  # fmt: skip
    built = closeout.record_of(session, services(), engagement_id)
    render = completion_record.to_json if fmt == "json" else completion_record.to_csv
    filename = f"engagement-{engagement_id}-completion.{fmt}"
    return _attachment(render(built).encode("utf-8"), RECORD_TYPES[fmt], filename)


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/webhooks")
def webhook_deliveries() -> Any:
    settings = services().settings.closeout
    return render_template(
        "engineer/webhooks.html", deliveries=webhooks.deliveries(db.session()),
        url=settings.webhook_url,
    )  # fmt: skip
