"""Implementation sessions: the list, and the "Record a session" form with the seed's
"Complete?" radios. The view reads the form, calls ``services/implementation.py`` and renders:
with errors, the page again with the error summary and what was typed (400)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.services import implementation, pdr_desk
from questionnaire.store import db
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form


def _page(
    engagement_id: int, typed: implementation.SessionForm | None, errors: dict[str, str]
) -> str:
    session = db.session()
    engagement = pdr_desk.engagement(session, engagement_id)
    offered = implementation.choices(session, engagement_id)
    default = implementation.SessionForm(engineer_id=str(current_user.user.id))
    return render_template(
        "engineer/sessions.html", engagement=engagement, form=ActionForm(), choices=offered,
        sessions=implementation.sessions(session, engagement_id), typed=typed or default,
        errors=errors, error_list=list(errors.items()),
        pdr=pdr_desk.pdr_of(session, engagement_id),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/sessions")
def implementation_sessions(engagement_id: int) -> Any:
    return _page(engagement_id, None, {})


@bp.post("/engagements/<int:engagement_id>/sessions")
def record_session(engagement_id: int) -> Any:
    checked_form()
    typed = implementation.SessionForm(
        **{name: request.form.get(name, "") for name in implementation.FIELDS}
    )
    try:
        recorded = implementation.record(db.session(), engagement_id, typed, actor())
    except implementation.InvalidSession as invalid:
        return _page(engagement_id, typed, invalid.errors), 400
    if recorded.complete:
        flash("Session recorded: the implementation is complete, and validation by the customer "
              "is next.")  # fmt: skip
    else:
        flash("Session recorded: the engagement is in progress. Send the customer a booking link "
              "for the next session, and keep the PDR up to date.")  # fmt: skip
    return redirect(url_for(".implementation_sessions", engagement_id=engagement_id), 303)
