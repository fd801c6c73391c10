"""The two things a customer can do with a sent SoW: ask for changes, or accept it.

Each is a page with its form (GOV.UK patterns: an error summary, a message per field, what
was typed kept). A session that ended while the form was open gets the form back with what was
typed and a request to send again: nothing is lost and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, TooManyRequests

from questionnaire.services import acceptances
from questionnaire.services.acceptance_record import authority
from questionnaire.services.review_customer import AlreadyAccepted, ChangeRequest, InvalidRequest
from questionnaire.services.review_customer import request_changes as store_request
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.errors import render_error

from .review_page import bp, open_review, opened, review_page

SESSION_ENDED = "session"
SESSION_ENDED_MESSAGE = "Your session expired. Go back, reload the page and try again."


def _typed_changes() -> dict[str, str]:
    sections = range(1, len(opened().sections) + 1)
    names = ["comment", *(f"section-{n}" for n in sections)]
    return {name: request.form.get(name, "") for name in names}


def _changes_page(
    typed: dict[str, str], errors: dict[str, str], *, notice: str | None = None, status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "customer/document_changes.html", review=opened(), typed=typed, errors=errors,
        error_list=list(errors.items()), notice=notice,
    )  # fmt: skip
    return page, status


@bp.get("/changes")
def changes() -> Any:
    if opened().acceptance is not None:
        return redirect(url_for(".review"))
    return _changes_page({}, {})


@bp.post("/changes")
def request_changes() -> Any:
    typed = _typed_changes()
    sections = {n: typed.get(f"section-{n}", "") for n in range(1, len(opened().sections) + 1)}
    try:
        store_request(db.session(), services(), opened().token,
                      ChangeRequest(typed["comment"], sections))  # fmt: skip
    except InvalidRequest as invalid:
        return _changes_page(typed, invalid.errors, status=400)
    except AlreadyAccepted:
        return review_page(notice="already_accepted", status=409)
    return redirect(url_for(".review", changes="sent"), code=303)


def _typed_acceptance() -> dict[str, str]:
    return {
        "full_name": request.form.get("full_name", ""),
        "job_title": request.form.get("job_title", ""),
        "authorised": "yes" if request.form.get("authorised") == "yes" else "",
    }


def _accept_page(
    typed: dict[str, str], errors: dict[str, str], *, notice: str | None = None, status: int = 200
) -> tuple[str, int]:
    review = opened()
    try:
        document = acceptances.document(services().settings, db.session(), review)
    except acceptances.DocumentUnavailable:
        document = None
    page = render_template(
        "customer/document_accept.html", review=review, typed=typed, errors=errors,
        error_list=list(errors.items()), notice=notice, document=document,
        authority=authority(review.engagement.customer, review.kind.title),
    )  # fmt: skip
    return page, status


@bp.get("/accept")
def accept_form() -> Any:
    if opened().acceptance is not None:
        return redirect(url_for(".review"))
    return _accept_page({}, {})


@bp.post("/accept")
def accept() -> Any:
    typed = _typed_acceptance()
    form = acceptances.AcceptanceForm(
        typed["full_name"], typed["job_title"], typed["authorised"] == "yes"
    )
    visitor = acceptances.Visitor(
        request.remote_addr or "unknown", request.headers.get("User-Agent", "")
    )  # the address as ProxyFix leaves it: the app's trusted-proxy setting decides
    try:
        acceptances.accept(db.session(), services(), opened().token, form, visitor)
    except acceptances.InvalidAcceptance as invalid:
        return _accept_page(typed, invalid.errors, status=400)
    except AlreadyAccepted:
        return review_page(notice="already_accepted", status=409)
    except acceptances.DocumentUnavailable:
        return _accept_page(typed, {}, notice="document_unavailable", status=409)
    return redirect(url_for(".review"), code=303)


@bp.errorhandler(CSRFError)
def _session_ended(exc: CSRFError) -> Any:
    """The form back, with what was typed (CSRF is checked before the link is opened)."""
    try:
        open_review()  # a refused link still counts as a guess
    except TooManyRequests as limited:  # an error handler's own error is not handled again
        page, status = render_error(429, None)
        return page, status, {k: v for k, v in limited.get_headers() if k == "Retry-After"}
    except HTTPException:
        return render_error(400, SESSION_ENDED_MESSAGE)  # as for questionnaire links
    if opened().acceptance is not None:
        return review_page(notice="already_accepted", status=400)
    if request.endpoint == "document_review.accept":
        return _accept_page(_typed_acceptance(), {}, notice=SESSION_ENDED, status=400)
    if request.endpoint == "document_review.request_changes":
        return _changes_page(_typed_changes(), {}, notice=SESSION_ENDED, status=400)
    return render_error(400, SESSION_ENDED_MESSAGE)
