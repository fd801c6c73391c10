"""The engineer's own availability page (``/e/availability``): hours, days off, meeting rules,
time zone and calendar feed; and the private address of their bookings feed.

Each view reads the request, calls one use case of ``services/booking_availability.py`` and
renders or redirects. The form posts every field by its place in the availability's data, so
a refused save comes back with each message beside its field and everything typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.services import booking_availability as availability
from questionnaire.services.booking_availability_form import RULE_KEYS
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RULES = (
    ("length_minutes", "Length", "minutes"),
    ("buffer_minutes", "Free time before and after", "minutes"),
    ("notice_hours", "Least notice", "hours"),
    ("ahead_days", "Bookable up to", "days ahead"),
)
assert tuple(key for key, _, _ in RULES) == RULE_KEYS


def _user_id() -> int:
    return int(current_user.user.id)


def _field_id(name: str) -> str:
    return name.replace(".", "-")


def _page(page: availability.AvailabilityPage, status: int = 200) -> tuple[str, int]:
    body = render_template(
        "engineer/availability.html", page=page, form=ActionForm(), days=DAYS, rules=RULES,
        field_id=_field_id, anchors={name: _field_id(name) for name in page.errors},
    )  # fmt: skip
    return body, status


@bp.route("/availability", methods=["GET", "POST"], endpoint="availability")
def availability_view() -> Any:
    context = services()
    if request.method == "GET":
        return _page(availability.availability_page(db.session(), context, _user_id()))
    checked_form()
    posted = {name: value for name, value in request.form.items() if name != "csrf_token"}
    try:
        availability.save_availability(db.session(), context, _user_id(), posted, actor())
    except availability.InvalidAvailability as invalid:
        page = availability.availability_page(
            db.session(), context, _user_id(), typed=posted, errors=invalid.errors
        )
        return _page(page, 400)
    flash("Your availability is saved: booking pages show it from now on.")
    return redirect(url_for(".availability"), 303)


@bp.post("/availability/private-feed", endpoint="issue_private_feed")
def issue_private_feed() -> Any:
    checked_form()
    url = availability.issue_private_feed(db.session(), services(), _user_id(), actor())
    return render_template("engineer/private_feed_created.html", url=url)


@bp.post("/availability/private-feed/revoke", endpoint="revoke_private_feed")
def revoke_private_feed() -> Any:
    checked_form()
    if availability.revoke_private_feed(db.session(), _user_id(), actor()):
        flash("Your calendar address no longer works: calendars subscribed to it stop updating.")
    else:
        flash("You had no calendar address to end.")
    return redirect(url_for(".availability", _anchor="private-feed"), 303)
