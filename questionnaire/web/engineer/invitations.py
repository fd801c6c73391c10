"""Sending the questionnaire by email, its confirmation, and the engagement's reminder switch.

The form is on the engagement page; posted with errors, it comes back on a page of its own
with the error summary and what was typed. Each view reads the request, calls one use case of
``services/invitations.py`` (or reads ``invitation_state``) and renders or redirects.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from questionnaire.services import invitation_state, invitations
from questionnaire.services.invitation_values import moment_in_words
from questionnaire.services.validation_ids import VALIDATION
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

#: The form's fields in its order: where the error summary's links go.
FIELDS = ("contact_name", "contact_email", "definition", "expires_days")


@bp.route(
    "/engagements/<int:engagement_id>/questionnaire",
    methods=["GET", "POST"],
    endpoint="send_questionnaire",
)
def send_questionnaire(engagement_id: int) -> Any:
    if request.method == "GET":
        return _form_page(engagement_id, {}, request.args.get("definition", ""))
    checked_form()
    typed = invitations.SendForm(
        contact_name=request.form.get("contact_name", ""),
        contact_email=request.form.get("contact_email", ""),
        definition=request.form.get("definition", ""),
        expires_days=request.form.get("expires_days", ""),
        # An unticked box posts nothing: only a form that offered the switch may turn it off.
        reminders=("reminders" in request.form) if "reminders_offered" in request.form else None,
    )
    try:
        invitations.send_questionnaire(db.session(), services(), engagement_id, typed, actor())
    except invitations.InvalidSend as invalid:
        return _form_page(engagement_id, invalid.errors, typed.definition), 400
    return redirect(_sent_url(engagement_id, typed.definition), 303)


@bp.get("/engagements/<int:engagement_id>/questionnaire/sent", endpoint="questionnaire_sent")
def questionnaire_sent(engagement_id: int) -> Any:
    definition = _validation_or_not(request.args.get("definition", ""))
    page = invitation_state.send_page(db.session(), services(), engagement_id, definition)
    if page.panel.last is None:  # nothing sent yet: the form instead
        return redirect(
            url_for(
                ".send_questionnaire", engagement_id=engagement_id, definition=definition or None
            )
        )
    return render_template(
        "engineer/questionnaire_sent.html", page=page, last=page.panel.last,
        expires=moment_in_words(page.panel.last.expires_at),
    )  # fmt: skip


@bp.post(
    "/engagements/<int:engagement_id>/questionnaire/reminders",
    endpoint="questionnaire_reminders",
)
def questionnaire_reminders(engagement_id: int) -> Any:
    checked_form()
    choice = request.form.get("reminders", "")
    if choice not in ("on", "off"):
        abort(400, description="Choose whether reminders are on or off.")
    invitations.set_reminders(db.session(), engagement_id, choice == "on", actor())
    flash(
        "Reminders are on for this engagement."
        if choice == "on"
        else "Reminders are off for this engagement: no reminder will be sent."
    )
    return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="questionnaire"))


def _validation_or_not(definition: str) -> str:
    """The validation questionnaire has its own form and confirmation; the others share one."""
    return VALIDATION if definition == VALIDATION else ""


def _sent_url(engagement_id: int, definition: str) -> str:
    chosen = _validation_or_not(definition) or None
    return url_for(".questionnaire_sent", engagement_id=engagement_id, definition=chosen)


def _form_page(engagement_id: int, errors: dict[str, str], definition: str = "") -> str:
    page = invitation_state.send_page(
        db.session(), services(), engagement_id, _validation_or_not(definition)
    )
    ordered = [(name, errors[name]) for name in FIELDS if name in errors]
    return render_template(
        "engineer/send_questionnaire.html", page=page, panel=page.panel, form=ActionForm(),
        errors=errors, error_list=ordered, typed=request.form if errors else None,
    )  # fmt: skip
