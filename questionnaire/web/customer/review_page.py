"""The customer's review of a sent document (a SoW, a Customer PS Acceptance Document: the
revision's kind says which), behind a link of its own: ``/s/<token>/...``.

The link is protected as questionnaire links are: a token of the right shape or a 404 before
any query, failed look-ups (unknown, expired, revoked, superseded) counted against the client's
address for the guessing limit, no data behind a dead link, ``no-store`` and ``same-origin``
headers (``web/security.py``), the token redacted from logs, and no GET that changes anything.
The actions (ask for changes, accept) are in :mod:`.review_actions`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, render_template, request, send_file, url_for
from flask_login import AnonymousUserMixin

from questionnaire.services import exports, review_customer
from questionnaire.services.acceptance_record import find_record
from questionnaire.services.review_customer import ReviewRefused
from questionnaire.services.review_state import ReviewState
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.errors import render_error
from questionnaire.web.guessing import count_failed_lookup
from questionnaire.web.markdown import render

bp = Blueprint("document_review", __name__, url_prefix="/s/<token>")

#: A file the worker is making takes seconds: when to ask again (for programs; people press a button).
RETRY = {"Retry-After": "3"}
#: Formats the customer may download: the PDF they were sent, and Word to mark up.
DOWNLOADS = {"pdf": "PDF", "docx": "Word (DOCX)"}
REFUSALS = {
    ReviewState.UNKNOWN: (404, "This link is not valid. Check that you copied the whole link "
                               "from the email."),
    ReviewState.EXPIRED: (410, "This link to your {title} has expired. Ask {name} "
                               "({address}) to send you a new one."),
    ReviewState.REVOKED: (410, "This link is no longer active: we sent you a newer link to this "
                               "{title}. Use the link in our latest email, or ask {name}"
                               " ({address})."),
    ReviewState.SUPERSEDED: (410, "This link is to an earlier revision of your {title}: we "
                                  "have sent you a newer revision since. Open the link "
                                  "in our latest email to review it. If you cannot find it, ask "
                                  "{name} ({address})."),
}  # fmt: skip


@bp.url_value_preprocessor
def _pull_token(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.review_token = (values or {}).pop("token", "")
    g._login_user = AnonymousUserMixin()  # customers never sign in (see customer.blueprint)


@bp.url_defaults
def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    if "review_token" in g:
        values.setdefault("token", g.review_token)


@bp.before_request
def open_review() -> None:
    """Open the link (reads only); a refused one counts as a guess and shows no data."""
    try:
        g.review = review_customer.open_review(db.session(), services(), g.review_token)
    except ReviewRefused as refused:
        count_failed_lookup()
        abort(*_refusal(refused))


def _refusal(refused: ReviewRefused) -> tuple[int, str]:
    status, message = REFUSALS[refused.state]
    contact = refused.contact
    name = contact.name if contact else "our services team"
    address = contact.address if contact else current_app.config["CONTACT_EMAIL"]
    return status, message.format(name=name, address=address, title=refused.title)


@bp.errorhandler(ReviewRefused)
def _refused_meanwhile(refused: ReviewRefused) -> Any:
    """The link stopped working between opening it and acting (a newer revision was sent)."""
    return render_error(*_refusal(refused))


def review_title() -> str:
    return opened().kind.title


def opened() -> review_customer.OpenReview:
    found: review_customer.OpenReview = g.review
    return found


def review_page(*, notice: str | None = None, status: int = 200) -> tuple[str, int]:
    """The revision, its downloads, and the actions (or the acceptance, once accepted)."""
    review = opened()
    page = render_template(
        "customer/document_review.html", review=review, preview=render(review.revision.markdown),
        downloads=DOWNLOADS, notice=notice,
        changes_sent=request.args.get("changes") == "sent",
    )  # fmt: skip
    return page, status


@bp.get("/")
def review() -> Any:
    return review_page()


@bp.get("/sow.<fmt>")
def download(fmt: str) -> Any:
    """The revision's stored PDF or DOCX; while the worker makes it, a page that reloads."""
    if fmt not in DOWNLOADS:
        abort(404, description=f"The {review_title()} can be downloaded as a PDF or as Word.")
    review = opened()
    found = exports.find(
        services().settings, db.session(), review.revision, review.engagement.customer, fmt
    )
    if isinstance(found, exports.Ready):
        return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                         download_name=found.filename, max_age=0)  # fmt: skip
    assert isinstance(found, exports.NotReady)  # only Markdown is served inline
    if found.error is not None:
        return waiting(DOWNLOADS[fmt], url_for(".download", fmt=fmt), failed=True), 409
    return waiting(DOWNLOADS[fmt], url_for(".download", fmt=fmt)), 202, RETRY


@bp.get("/acceptance.pdf")
def acceptance_record() -> Any:
    review = opened()
    if review.acceptance is None:
        abort(404, description=f"This {review.kind.title} has not been accepted yet.")
    found = find_record(services().settings, review.acceptance, review.engagement.customer)
    if found is None:
        return waiting("acceptance record", url_for(".acceptance_record")), 202, RETRY
    return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename, max_age=0)  # fmt: skip


def waiting(name: str, again: str, *, failed: bool = False) -> str:
    return render_template(
        "customer/document_waiting.html", review=opened(), name=name, again=again, failed=failed
    )
