"""An engagement's Files page: every file, its date, the upload form, holds; and downloads.

Each view reads the request, calls one use case (``services/files_desk.py``,
``engagement_files.py``, ``retention.py``) and renders or redirects. A file larger than the app's
request limit is allowed on the upload form alone (up to ``ENGAGEMENT_FILE_MAX_MB``), and only
for a signed-in account that may use it; one larger still comes back as the page with its
error (413), its file dropped unread as the customer's pages do (``customer/oversized.py``).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from questionnaire.services import engagement_files, files_desk, permissions, retention, uploads
from questionnaire.services.engagement_files import AttachForm, InvalidAttachment
from questionnaire.services.filetypes import KIND_NAMES
from questionnaire.services.retention import HoldForm, InvalidHold
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.customer import oversized
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

ATTACH = "engineer.attach_file"
#: Room for the form's other fields and the multipart framing beside the file itself.
FORM_MARGIN = 1024 * 1024


@bp.url_value_preprocessor
def _allow_large_files(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Before anything reads the form (the edge check, CSRF): the upload form's own limit."""
    if endpoint != ATTACH or request.method != "POST" or not current_user.is_authenticated:
        return
    if not permissions.allows(endpoint, current_user.user.roles):
        return
    limit = services().settings.engagement_file_max_mb * oversized.MEGABYTE + FORM_MARGIN
    request.max_content_length = limit
    oversized.read_without_files(limit)


def _page(
    engagement_id: int,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    hold_errors: dict[str, str] | None = None,
) -> str:
    files = files_desk.page(db.session(), services().settings, engagement_id)
    errors, hold_errors = errors or {}, hold_errors or {}
    return render_template(
        "engineer/files.html", files=files, kept=files_desk.kept_words(files), form=ActionForm(),
        typed=typed or {}, errors=errors, hold_errors=hold_errors, kind_names=KIND_NAMES,
        error_list=[*errors.items(), *hold_errors.items()],
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/files")
def files_page(engagement_id: int) -> Any:
    return _page(engagement_id)


@bp.post("/engagements/<int:engagement_id>/files")
def attach_file(engagement_id: int) -> Any:
    typed = {name: request.form.get(name, "") for name in ("source", "description")}
    if oversized.files_dropped():
        limit = services().settings.engagement_file_max_mb
        message = uploads.limit_message(limit)
        return _page(engagement_id, typed=typed, errors={"file": message}), 413
    checked_form()
    form = AttachForm(request.files.get("file"), typed["source"], typed["description"])
    try:
        kept = engagement_files.attach(
            db.session(), services().settings, engagement_id, form, actor()
        )
    except InvalidAttachment as invalid:
        status = 413 if invalid.too_large else 400
        return _page(engagement_id, typed=typed, errors=invalid.errors), status
    flash(f"{kept.original_name} added.")
    return redirect(url_for(".files_page", engagement_id=engagement_id), 303)


@bp.get("/engagements/<int:engagement_id>/files/<file_id>")
def file_download(engagement_id: int, file_id: str) -> Any:
    found = files_desk.download(db.session(), services().settings, engagement_id, file_id)
    response = send_file(
        found.path,
        mimetype=found.media_type,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/engagements/<int:engagement_id>/files/<file_id>/remove")
def remove_file(engagement_id: int, file_id: str) -> Any:
    checked_form()
    name = engagement_files.remove(
        db.session(), services().settings, engagement_id, file_id, actor()
    )
    flash(f"{name} deleted.")
    return redirect(url_for(".files_page", engagement_id=engagement_id), 303)


@bp.post("/engagements/<int:engagement_id>/files/hold")
def hold_files(engagement_id: int) -> Any:
    return _hold_or_release(engagement_id, retention.hold, "The files are on hold: not deleted.")


@bp.post("/engagements/<int:engagement_id>/files/release")
def release_files(engagement_id: int) -> Any:
    return _hold_or_release(
        engagement_id, retention.release, "The hold is released: the files go at their date."
    )


def _hold_or_release(engagement_id: int, use_case: Any, done: str) -> Any:
    checked_form()
    reason = request.form.get("reason", "")
    try:
        use_case(db.session(), engagement_id, HoldForm(reason), actor())
    except InvalidHold as invalid:
        return _page(engagement_id, typed={"reason": reason}, hold_errors=invalid.errors), 400
    flash(done)
    return redirect(url_for(".files_page", engagement_id=engagement_id), 303)
