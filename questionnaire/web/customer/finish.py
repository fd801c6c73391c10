"""Saved for later, the review, the single submission, and the read-only summary after it."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from questionnaire.services import journey, links, submission
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.pages import render_summary

from .blueprint import bp, csrf_held, go, opened, posted_version


@bp.get("/saved")
def saved() -> Any:
    link = opened()
    if link.response is None:
        return go(journey.Go("start"))
    url = links.link_url(services().settings.base_url, link.token)
    return render_template(
        "customer/saved.html", q=link.questionnaire, link=url, expires_at=link.link.expires_at
    )


def _review_page(review: submission.Review, *, notice: str | None = None, status: int = 200) -> Any:
    page = render_summary(
        "customer/review.html", review.flow, changeable=True, notice=notice,
        version=str(review.response.version),
    )  # fmt: skip
    return page, status


@bp.get("/review")
def review() -> Any:
    shown = submission.review(services(), opened())
    return go(shown) if isinstance(shown, journey.Go) else _review_page(shown)


@bp.post("/submit")
def submit() -> Any:
    if not csrf_held():
        abort(
            400,
            description="Your session expired. Open the link again and submit from the review page.",
        )
    outcome = submission.submit(db.session(), services(), opened(), posted_version())
    if isinstance(outcome, journey.Go):
        return go(outcome)
    return _review_page(outcome, notice="conflict", status=409)


@bp.get("/done")
def done() -> Any:
    shown = submission.done(services(), opened())
    if isinstance(shown, journey.Go):
        return go(shown)
    return render_summary(
        "customer/done.html", shown.flow, changeable=False, response=shown.response,
        just_submitted=request.args.get("submitted") == "1",
    )  # fmt: skip
