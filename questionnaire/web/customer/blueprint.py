"""The customer blueprint (``/r/<token>/...``) and what its views share: the link, the response,
its flow, and the page being answered.

A GET never changes anything (mail scanners open links before people do).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from questionnaire.engine import REVIEW, FlowResult
from questionnaire.services import links, responses
from questionnaire.services.definitions import registry
from questionnaire.store import db
from questionnaire.store.models import ResponseStatus
from questionnaire.web.errors import render_error
from questionnaire.web.forms import ActionForm, raw_values
from questionnaire.web.guessing import count_failed_lookup
from questionnaire.web.pages import (
    PageView,
    all_questions,
    render_page,
)

bp = Blueprint("customer", __name__, url_prefix="/r/<token>")

LINK_MESSAGES = {
    links.LinkState.UNKNOWN: (
        404,
        "This link is not valid",
        "Check that you copied the whole link from the email.",
    ),
    links.LinkState.EXPIRED: (
        410,
        "This link has expired",
        "Ask us for a new link: your saved answers are kept.",
    ),
    links.LinkState.REVOKED: (
        410,
        "This link is no longer active",
        "A newer link may have been sent to you.",
    ),
}


@bp.url_value_preprocessor
def _pull_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.token = (values or {}).pop("token", "")


@bp.url_defaults
def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    if "token" in g and "token" not in values:
        values["token"] = g.token


@bp.before_request
def load_link() -> None:
    session = db.session()
    resolved = links.resolve(session, g.token)
    if resolved.state is not links.LinkState.ACTIVE:
        count_failed_lookup()
        status, title, advice = LINK_MESSAGES[resolved.state]
        abort(status, description=f"{title}. {advice}")
    assert resolved.link is not None
    try:
        opened = responses.open_response(session, registry(), resolved.link)
    except responses.DefinitionUnavailable:
        abort(503, description="This questionnaire is being updated. Please try again later.")
    g.link, g.q, g.response = resolved.link, opened.questionnaire, opened.response
    g.actor = f"customer:link:{resolved.link.id}"


def is_submitted() -> bool:
    return g.response is not None and g.response.status is ResponseStatus.SUBMITTED


def to_resume() -> WerkzeugResponse:
    if g.response is None:
        return redirect(url_for(".start"))
    if is_submitted():
        return redirect(url_for(".done"))
    target = current_flow().resume_page
    return redirect(url_for(".review") if target == REVIEW else url_for(".page", page_id=target))


def current_flow() -> FlowResult:
    """The flow of the stored answers, computed at most once per request and version."""
    key = (g.response.id, g.response.version) if g.response else None
    if g.get("flow_key") != key:
        g.flow, g.flow_key = responses.flow_of(g.q, g.response), key
    flow: FlowResult = g.flow
    return flow


def page_view(page_id: str, *, upto: bool = False) -> PageView:
    """The page of the stored answers. With ``upto``, the flow stops after the page: enough to
    save it, not to show it (a shown page needs the whole path)."""
    if g.response is None or is_submitted():
        raise RedirectTo(to_resume())
    # The whole path, not just up to this page: the page shows "page 3 of 7" and its progress.
    # A page not on the path is walked past either way, so ``upto`` finds the same pages.
    flow = responses.flow_of(g.q, g.response, until=page_id) if upto else current_flow()
    if page_id not in flow.pages:
        raise RedirectTo(to_resume())
    return PageView(g.q, g.response, flow, page_id)


class RedirectTo(Exception):
    def __init__(self, response: WerkzeugResponse) -> None:
        self.response = response


@bp.errorhandler(CSRFError)
def _session_ended(exc: CSRFError) -> Any:
    """A respondent whose session ended (or a forged post) gets the page back, with what was
    typed kept and a request to save again; nothing is saved."""
    expired = "Your session expired. Go back, reload the page and try again."
    if request.endpoint != "customer.save":
        return render_error(400, expired)
    try:
        load_link()
        view = page_view((request.view_args or {}).get("page_id", ""))
    except (HTTPException, RedirectTo):
        return render_error(400, expired)
    posted = raw_values(all_questions(view))
    return render_page(view, str(g.response.version), posted, {}, notice="session", status=400)


@bp.errorhandler(RedirectTo)
def _follow(exc: RedirectTo) -> WerkzeugResponse:
    return exc.response


def posted_version(form: ActionForm) -> int:
    try:
        return int(form.version.data or 0)
    except ValueError:
        return 0
