"""Sending a customer a booking link from the engagement, and revoking one.

The form is on the engagement page; posted with errors, it comes back on a page of its own
with the error summary and what was typed. Each view reads the request, calls one use case of
``services/booking_links.py`` and renders or redirects.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from questionnaire.services import booking_links, engagement_desk
from questionnaire.services.booking_words import TITLES
from questionnaire.services.invitation_values import moment_in_words
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

#: The form's fields in its order: where the error summary's links go.
FIELDS = ("kind", "expires_days", "contact_name", "contact_email")
#: The form's inputs are named so: the questionnaire's form on the engagement page has the same
#: fields (a contact, an expiry).
PREFIX = "booking_"


def _typed() -> dict[str, str]:
    return {name: request.form.get(PREFIX + name, "") for name in FIELDS}


@bp.route(
    "/engagements/<int:engagement_id>/booking", methods=["GET", "POST"], endpoint="send_booking"
)
def send_booking(engagement_id: int) -> Any:
    if request.method == "GET":
        return _form_page(engagement_id, {})
    checked_form()
    typed = booking_links.SendForm(**_typed())
    try:
        sent = booking_links.send_booking_link(
            db.session(), services(), engagement_id, typed, actor()
        )
    except booking_links.InvalidSend as invalid:
        return _form_page(engagement_id, invalid.errors), 400
    flash(
        f"The {TITLES[sent.kind].lower()} booking link is on its way to {sent.to}. It works "
        f"until {moment_in_words(sent.expires_at)}, for one booking."
    )
    return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="booking"), 303)


@bp.post("/engagements/<int:engagement_id>/booking/<int:link_id>/revoke", endpoint="revoke_booking")
def revoke_booking(engagement_id: int, link_id: int) -> Any:
    checked_form()
    if booking_links.revoke_booking_link(db.session(), engagement_id, link_id, actor()):
        flash("The booking link no longer works.")
    else:
        flash("That booking link had already been used, revoked or expired.")
    return redirect(url_for(".engagement", engagement_id=engagement_id, _anchor="booking"), 303)


def _form_page(engagement_id: int, errors: dict[str, str]) -> str:
    page = engagement_desk.engagement_page(db.session(), services(), engagement_id)
    ordered = [(name, errors[name]) for name in FIELDS if name in errors]
    return render_template(
        "engineer/send_booking.html", page=page, panel=page.booking, form=ActionForm(),
        errors=errors, error_list=ordered, typed=_typed() if errors else None,
        anchors={name: f"{PREFIX}{name}" for name in FIELDS},
    )  # fmt: skip
