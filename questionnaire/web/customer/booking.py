"""The customer's booking pages, behind a one-time booking link: ``/b/<token>/...``.

The link is protected as questionnaire links are: a token of the right shape or a 404 before
any query, failed look-ups (unknown, expired, revoked) counted against the client's address
for the guessing limit, no data behind a dead link, ``no-store`` and ``same-origin`` headers
(``web/security.py``), the token redacted from logs, and no GET that changes anything. A used
link is still the customer's: it shows their booking, with the moves and cancellation of
:mod:`.booking_actions` while the engineer's notice allows.

The pages work without JavaScript: times are shown in the zone the customer gave in the
questionnaire, or one they choose from the list (a GET form); ``booking.js`` only picks the
browser's zone on a first visit that has neither.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin

from questionnaire.scheduling import zone_choices
from questionnaire.services import booking_confirm
from questionnaire.services.booking_customer import (
    BookingRefused,
    LinkState,
    OpenBooking,
    SlotsPage,
    UnknownZone,
    ZoneShown,
    open_booking,
    slot_named,
    slots_page,
    zone_for,
)
from questionnaire.services.booking_words import PURPOSES, TITLES, duration, when
from questionnaire.store import db
from questionnaire.store.models import utcnow
from questionnaire.web.context import services
from questionnaire.web.errors import render_error
from questionnaire.web.guessing import count_failed_lookup

bp = Blueprint("booking", __name__, url_prefix="/b/<token>")

REFUSALS = {
    LinkState.UNKNOWN: (404, "This booking link is not valid. Check that you copied the whole "
                             "link from the email."),
    LinkState.EXPIRED: (410, "This booking link has expired. Ask {name} ({email}) for a new "
                             "one."),
    LinkState.REVOKED: (410, "This booking link is no longer active: a newer link may have been "
                             "sent to you. Use the link in our latest email, or ask {name} "
                             "({email})."),
}  # fmt: skip
ZONE_ERROR = "Choose a time zone from the list"
SLOT_ERROR = "Choose a time from the list"


@bp.url_value_preprocessor
def _pull_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.booking_token = (values or {}).pop("token", "")
    g._login_user = AnonymousUserMixin()  # customers never sign in (see customer.blueprint)


@bp.url_defaults
def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    if "booking_token" in g:
        values.setdefault("token", g.booking_token)


@bp.before_request
def open_link() -> None:
    """Open the link (reads only); a refused one counts as a guess and shows no data."""
    try:
        g.booking = open_booking(db.session(), services(), g.booking_token)
    except BookingRefused as refused:
        count_failed_lookup()
        abort(*refusal(refused))


def refusal(refused: BookingRefused) -> tuple[int, str]:
    status, message = REFUSALS[refused.state]
    contact = refused.contact
    name = contact.name if contact else "our services team"
    email = contact.email if contact else services().settings.contact_email
    return status, message.format(name=name, email=email)


@bp.errorhandler(BookingRefused)
def _refused_meanwhile(refused: BookingRefused) -> Any:
    """The link stopped working between opening it and acting (a newer link was sent)."""
    return render_error(*refusal(refused))


def opened() -> OpenBooking:
    found: OpenBooking = g.booking
    return found


def chosen_zone(source: dict[str, str] | Any) -> ZoneShown:
    """The zone the request names (``zone``), else the questionnaire's, else the default;
    a 400 with the slots page for a zone that is not in the list."""
    try:
        return zone_for(db.session(), services(), opened(), source.get("zone") or None)
    except UnknownZone:
        default = zone_for(db.session(), services(), opened(), None)
        abort(make_response(slots_response(default, errors={"zone": ZONE_ERROR}, status=400)))


def meeting_words(booking: OpenBooking) -> dict[str, str]:
    return {
        "title": TITLES[booking.kind], "meeting": TITLES[booking.kind].lower(),
        "purpose": PURPOSES[booking.kind], "length": duration(booking.rules.length),
    }  # fmt: skip


def slots_response(
    zone: ZoneShown, *, errors: dict[str, str] | None = None, notice: str | None = None,
    page: SlotsPage | None = None, status: int = 200, template: str = "customer/booking_slots.html",
) -> Any:  # fmt: skip
    """The free slots by day, with the zone's form; refreshed slots after a taken one."""
    shown = page or slots_page(db.session(), services(), opened(), zone)
    body = render_template(
        template, booking=opened(), page=shown, words=meeting_words(opened()),
        errors=errors or {}, error_list=list((errors or {}).items()), notice=notice,
        zones=zone_choices(),
    )  # fmt: skip
    return body, status


@bp.get("/")
def slots() -> Any:
    if opened().state is LinkState.USED:
        return booked_page(used=True)
    return slots_response(chosen_zone(request.args))


@bp.get("/confirm")
def confirm_form() -> Any:
    """The chosen slot, checked against the free slots now, and the name and email form."""
    if opened().state is LinkState.USED:
        return redirect(url_for(".booked"))
    zone = chosen_zone(request.args)
    page = slots_page(db.session(), services(), opened(), zone)
    key = request.args.get("slot", "")
    if not key or slot_named(opened(), key, zone) is None:
        return slots_response(zone, errors={"slot": SLOT_ERROR}, page=page, status=400)
    if page.slots.find(key) is None:
        return slots_response(zone, notice="taken", page=page, status=409)
    engagement = opened().engagement
    typed = {"name": engagement.contact_name or "", "email": engagement.contact_email or ""}
    return confirm_page(zone, key, typed, {})


def confirm_page(
    zone: ZoneShown, key: str, typed: dict[str, str], errors: dict[str, str],
    *, notice: str | None = None, status: int = 200,
) -> Any:  # fmt: skip
    slot = slot_named(opened(), key, zone)
    if slot is None:  # a posted key that is not a slot's: choose again
        return slots_response(zone, errors={"slot": SLOT_ERROR}, status=400)
    body = render_template(
        "customer/booking_confirm.html", booking=opened(), zone=zone, key=key, typed=typed,
        errors=errors, error_list=list(errors.items()), notice=notice,
        words=meeting_words(opened()), when=when(slot.start, slot.end, zone.zone),
    )  # fmt: skip
    return body, status


@bp.post("/confirm")
def confirm() -> Any:
    zone = chosen_zone(request.form)
    form = booking_confirm.ConfirmForm(
        request.form.get("slot", ""), request.form.get("name", ""), request.form.get("email", "")
    )
    try:
        booking_confirm.confirm(db.session(), services(), g.booking_token, form, zone)
    except booking_confirm.InvalidConfirm as invalid:
        typed = {"name": form.name, "email": form.email}
        return confirm_page(zone, form.slot, typed, invalid.errors, status=400)
    except booking_confirm.SlotTaken as taken:
        return slots_response(zone, notice="taken", page=taken.page, status=409)
    except booking_confirm.AlreadyUsed:
        g.booking = open_booking(db.session(), services(), g.booking_token)
        return booked_page(used=True, status=409)
    return redirect(url_for(".booked"), code=303)


@bp.get("/booked")
def booked() -> Any:
    if opened().booking is None:
        return redirect(url_for(".slots"))
    return booked_page(used=False)


def booked_page(*, used: bool, notice: str | None = None, status: int = 200) -> Any:
    """The booking (or its cancellation), with the ways to move or cancel it while allowed."""
    booking = opened()
    found = booking.booking
    shown = None
    if found is not None:
        shown = when(found.starts_at, found.ends_at, ZoneInfo(found.customer_zone))
    body = render_template(
        "customer/booking_booked.html", booking=booking, found=found, when=shown, used=used,
        notice=notice, words=meeting_words(booking), changeable=booking.changeable(utcnow()),
        notice_needed=duration(booking.rules.notice),
    )  # fmt: skip
    return body, status
