"""The sales handover form, and its confirmation naming the two emails it queued.

What is typed goes to the use case as it is: the engine's parsers there refuse control
characters with each field's own message, so nothing is checked twice.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask import redirect, render_template, request, url_for

from questionnaire.services import handover
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

#: Each field's label, hint and input, in the form's order (the template draws them all alike).
FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("organisation", "Customer organisation", "", "text"),
    ("contact_name", "Customer contact's name", "", "text"),
    ("contact_email", "Customer contact's email address", "", "email"),
    ("contact_phone", "Customer contact's phone number (optional)",
     "Include the country code, like +44 20 7946 0958", "tel"),
    ("project", "Project name (optional)", "", "text"),
    ("ps_days_sold", "PS days sold", "In whole or half days, like 2 or 2.5", "decimal"),
    ("contract_date", "Sale, invoice or contract date", "For example, 2026-03-14", "text"),
    ("purchase_order", "Purchase order", "", "text"),
    ("quote_number", "Quote number", "", "text"),
    ("terms_url", "Link to the Professional Services Agreement",
     "The terms and conditions the customer was given, starting with https://", "url"),
    ("timeline", "Expected timeline", "For example, live by the end of April", "text"),
    ("services_lead", "Services lead",
     "The customer's email names them as their contact in the services team", "text"),
    ("notes", "Notes for the services team (optional)", "", "textarea"),
)  # fmt: skip


@bp.route("/handover", methods=["GET", "POST"], endpoint="handover")
def handover_form() -> Any:
    if request.method == "GET":
        return _form_page({})
    checked_form()
    typed = {item.name: request.form.get(item.name, "") for item in fields(handover.Handover)}
    try:
        engagement = handover.hand_over(
            db.session(), services(), handover.Handover(**typed), actor()
        )
    except handover.InvalidHandover as invalid:
        return _form_page(invalid.errors), 400
    return redirect(url_for(".handover_done", engagement_id=engagement.id), 303)


@bp.get("/handover/<int:engagement_id>", endpoint="handover_done")
def handover_done(engagement_id: int) -> Any:
    done = handover.handed_over(db.session(), engagement_id)
    return render_template("engineer/handover_done.html", done=done)


def _form_page(errors: dict[str, str]) -> str:
    return render_template(
        "engineer/handover.html", form=ActionForm(), fields=FIELDS, errors=errors,
        error_list=list(errors.items()), typed=request.form,
    )  # fmt: skip
