"""Sending a SoW revision to the customer by email, and the record of their acceptance."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for

from questionnaire.services import review_links, sow_desk
from questionnaire.services.acceptance_record import engineer_record
from questionnaire.store import db
from questionnaire.web.context import services

from .blueprint import actor, bp, checked_form
from .documents import sow_page_html


@bp.post("/engagements/<int:engagement_id>/sow/revisions/<int:number>/send")
def sow_send(engagement_id: int, number: int) -> Any:
    checked_form()
    typed = {name: request.form.get(name, "") for name in ("to_name", "to_address")}
    try:
        review_links.send(
            db.session(), engagement_id, number, typed["to_name"], typed["to_address"], actor()
        )
    except review_links.InvalidRecipient as invalid:
        workspace = sow_desk.workspace(db.session(), engagement_id)
        if workspace is None:
            raise sow_desk.NotFound("There is no SoW draft yet.") from None
        page = sow_page_html(
            workspace, workspace.current.markdown, send_errors=invalid.errors, send_typed=typed
        )
        return page, 400
    except (review_links.NotLatest, sow_desk.SowAccepted) as refused:
        abort(409, description=f"{refused} Nothing was sent.")
    flash(
        f"Revision {number} is on its way to {typed['to_address'].strip()}: the email goes, with the PDF "
        "attached, as soon as the PDF is ready."
    )
    return redirect(url_for(".sow_page", engagement_id=engagement_id, _anchor="customer"))


@bp.get("/engagements/<int:engagement_id>/sow/acceptance.pdf")
def sow_acceptance_record(engagement_id: int) -> Any:
    """The customer's acceptance record, as the worker made it (a GET changes nothing)."""
    found = engineer_record(services().settings, db.session(), engagement_id)
    if found is None:
        abort(409, description="The acceptance record is being made: try again in a moment.")
    return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename, max_age=0)  # fmt: skip
