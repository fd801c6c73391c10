"""The customer blueprint (``/r/<token>/...``) and what its views share: the opened link, and
turning a use case's "go here next" into a redirect.

A GET never changes anything (mail scanners open links before people do).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import ValidationError

from questionnaire.services import journey
from questionnaire.services.links import LinkState
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.errors import render_error
from questionnaire.web.forms import raw_values
from questionnaire.web.guessing import count_failed_lookup
from questionnaire.web.pages import all_questions, render_page

from . import oversized

bp = Blueprint("customer", __name__, url_prefix="/r/<token>")

LINK_MESSAGES = {
    LinkState.UNKNOWN: (
        404,
        "This link is not valid",
        "Check that you copied the whole link from the email.",
    ),
    LinkState.EXPIRED: (
        410,
        "This link has expired",
        "Ask us for a new link: your saved answers are kept.",
    ),
    LinkState.REVOKED: (
        410,
        "This link is no longer active",
        "A newer link may have been sent to you.",
    ),
}
SESSION_ENDED = "Your session expired. Go back, reload the page and try again."


@bp.url_value_preprocessor
def _pull_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.token = (values or {}).pop("token", "")
    # Customers never sign in: Flask-Login's user loader (and its session protection, which
    # rewrites the session cookie when no engineer is signed in) has nothing to do here. It
    # reads the user from ``g._login_user`` when set, so set it before anything asks.
    g._login_user = AnonymousUserMixin()
    if endpoint == "customer.save" and request.method == "POST":
        oversized.read_without_files()  # before the first look at the form (edge, CSRF)


@bp.url_defaults
def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    if "token" in g and "token" not in values:
        values["token"] = g.token


@bp.before_request
def _open_link() -> None:
    try:
        # A GET reads the answers only if its flow is not cached: they are loaded on use.
        with_answers = request.method == "POST"
        g.opened = journey.open_link(db.session(), services(), g.token, with_answers=with_answers)
    except journey.LinkRefused as refused:
        count_failed_lookup()
        status, title, advice = LINK_MESSAGES[refused.state]
        abort(status, description=f"{title}. {advice}")
    except journey.DefinitionUnavailable:
        abort(503, description="This questionnaire is being updated. Please try again later.")


def opened() -> journey.OpenLink:
    """The link this request opened (set before every view of the blueprint)."""
    found: journey.OpenLink = g.opened
    return found


def go(target: journey.Go) -> WerkzeugResponse:
    """A redirect to where a use case says the customer goes next."""
    if target.to == "resume":
        return go(journey.resume(services(), opened()))
    if target.to == "page":
        return redirect(url_for(".page", page_id=target.page, _anchor=target.anchor))
    if target.to == "done":
        return redirect(url_for(".done", submitted=1 if target.submitted_now else None))
    endpoint = {"start": ".start", "review": ".review", "saved": ".saved"}[target.to]
    return redirect(url_for(endpoint))


def csrf_held() -> bool:
    """Whether the POST's CSRF token holds. CSRFProtect has checked it before any view (a bad
    one is answered by :func:`_session_ended`), so this only checks again when that check is
    turned off (``WTF_CSRF_CHECK_DEFAULT``), as a form would."""
    if g.get("csrf_valid") or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def posted_version() -> int:
    """The version of the answers the posted form was built from (0 if it names none)."""
    data = request.form.get("version", "")
    return int(data) if data.isascii() and data.isdigit() and len(data) < 10 else 0


@bp.errorhandler(CSRFError)
def _session_ended(exc: CSRFError) -> Any:
    """A respondent whose session ended (or a forged post) gets the page back, with what was
    typed kept and a request to save again; nothing is saved."""
    if request.endpoint != "customer.save":
        return render_error(400, SESSION_ENDED)
    try:
        _open_link()
    except HTTPException:
        return render_error(400, SESSION_ENDED)
    page_id = (request.view_args or {}).get("page_id", "")
    view = journey.show_page(services(), opened(), page_id)
    if isinstance(view, journey.Go):
        return render_error(400, SESSION_ENDED)
    return render_page(view, raw_values(all_questions(view)), notice="session", status=400)
