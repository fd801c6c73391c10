"""Moving or cancelling a booking from its link, while the engineer's notice allows.

Each is a page with its form (GOV.UK patterns), posted back to change the booking. A session
that ended while a form was open gets the form back (with what was typed, on the confirmation
page) and a request to send it again: nothing is lost and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests

from questionnaire.services import booking_changes
from questionnaire.services.booking_confirm import SlotTaken
from questionnaire.store import db
from questionnaire.store.models import utcnow
from questionnaire.web.context import services
from questionnaire.web.errors import render_error

from .booking import (
    SLOT_ERROR,
    booked_page,
    bp,
    chosen_zone,
    confirm_page,
    open_link,
    opened,
    slots_response,
)

SESSION_ENDED = "session"
SESSION_ENDED_MESSAGE = "Your session expired. Go back, reload the page and try again."
RESCHEDULE = "customer/booking_reschedule.html"


def _unchangeable() -> Any | None:
    """The booking page instead, when there is nothing this link may still change."""
    if opened().booking is None:
        return redirect(url_for(".slots"))
    if not opened().changeable(utcnow()):
        return booked_page(used=False, notice="too_late", status=409)
    return None


@bp.get("/reschedule")
def reschedule_form() -> Any:
    refused = _unchangeable()
    if refused is not None:
        return refused
    return slots_response(chosen_zone(request.args), template=RESCHEDULE)


@bp.post("/reschedule")
def reschedule() -> Any:
    refused = _unchangeable()
    if refused is not None:
        return refused
    zone = chosen_zone(request.form)
    key = request.form.get("slot", "")
    if not key:
        return slots_response(zone, errors={"slot": SLOT_ERROR}, template=RESCHEDULE, status=400)
    try:
        booking_changes.reschedule(db.session(), services(), g.booking_token, key, zone)
    except SlotTaken as taken:
        return slots_response(zone, notice="taken", page=taken.page, template=RESCHEDULE,
                              status=409)  # fmt: skip
    except booking_changes.TooLate as late:
        g.booking = late.opened
        return booked_page(used=False, notice="too_late", status=409)
    return redirect(url_for(".booked", moved=1), code=303)


@bp.get("/cancel")
def cancel_form() -> Any:
    refused = _unchangeable()
    if refused is not None:
        return refused
    return booked_page(used=False, notice="confirm_cancel")


@bp.post("/cancel")
def cancel() -> Any:
    refused = _unchangeable()
    if refused is not None:
        return refused
    try:
        booking_changes.cancel(db.session(), services(), g.booking_token)
    except booking_changes.TooLate as late:
        g.booking = late.opened
        return booked_page(used=False, notice="too_late", status=409)
    return redirect(url_for(".booked", cancelled=1), code=303)


@bp.errorhandler(CSRFError)
def _session_ended(exc: CSRFError) -> Any:
    """The form back (CSRF is checked before the link is opened): nothing was changed."""
    try:
        open_link()  # a refused link still counts as a guess
    except TooManyRequests as limited:  # an error handler's own error is not handled again
        page, status = render_error(429, None)
        return page, status, {k: v for k, v in limited.get_headers() if k == "Retry-After"}
    except HTTPException:
        return render_error(400, SESSION_ENDED_MESSAGE)
    if request.endpoint == "booking.confirm" and opened().booking is None:
        typed = {"name": request.form.get("name", ""), "email": request.form.get("email", "")}
        try:
            zone = chosen_zone(request.form)
        except HTTPException:  # a forged zone: the times again, in the default one
            return render_error(400, SESSION_ENDED_MESSAGE)
        return confirm_page(zone, request.form.get("slot", ""), typed, {}, notice=SESSION_ENDED,
                            status=400)  # fmt: skip
    if request.endpoint in ("booking.reschedule", "booking.cancel") and opened().booking:
        return booked_page(used=False, notice=SESSION_ENDED, status=400)
    return render_error(400, SESSION_ENDED_MESSAGE)
