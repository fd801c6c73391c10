"""The validation questionnaire's answers, per virtual service (sent from the engagement page's
"Validation by the customer" section, through ``invitations.py``'s form)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from questionnaire.services import validation_desk
from questionnaire.services.sow_desk import NotFound
from questionnaire.store import db
from questionnaire.web.context import services

from .blueprint import bp


@bp.get("/engagements/<int:engagement_id>/validation", endpoint="validation_answers")
def validation_answers(engagement_id: int) -> Any:
    try:
        page = validation_desk.answers_page(db.session(), services(), engagement_id)
    except NotFound as missing:
        abort(404, description=str(missing))
    return render_template("engineer/validation.html", page=page)
