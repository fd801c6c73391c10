"""Saved for later, the review, the single submission, and the read-only summary after it."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, render_template, request, url_for

from questionnaire.services import links, responses, sow
from questionnaire.store import db
from questionnaire.web.forms import ActionForm

from .blueprint import bp, current_flow, is_submitted, posted_version, to_resume


@bp.get("/saved")
def saved() -> Any:
    if g.response is None:
        return redirect(url_for(".start"))
    link = links.link_url(current_app.config["BASE_URL"], g.token)
    return render_template("customer/saved.html", q=g.q, link=link, expires_at=g.link.expires_at)


@bp.get("/review")
def review() -> Any:
    if g.response is None or is_submitted():
        return to_resume()
    form = ActionForm()
    form.version.data = str(g.response.version)
    return render_template("customer/review.html", q=g.q, flow=current_flow(), form=form)


@bp.post("/submit")
def submit() -> Any:
    if g.response is None:
        return to_resume()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(
            400,
            description="Your session expired. Open the link again and submit from the review page.",
        )
    try:
        responses.submit(db.session(), g.q, g.response, posted_version(form), g.actor)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except responses.Conflict:
        flow = current_flow()
        form.version.data = str(g.response.version)
        return (
            render_template("customer/review.html", q=g.q, flow=flow, form=form, notice="conflict"),
            409,
        )
    _draft_sow()
    return redirect(url_for(".done", submitted=1))


def _draft_sow() -> None:
    """Pre-fill the SoW for the engineer; a template problem never fails the customer's submission."""
    try:
        sow.generate(db.session(), g.q, g.response, "pre-filler")
    except sow.TemplatesUnavailable:
        db.session().rollback()
        current_app.logger.exception(
            "the SoW could not be pre-filled for response %s", g.response.id
        )


@bp.get("/done")
def done() -> Any:
    if not is_submitted():
        return to_resume()
    flow = current_flow()
    return render_template(
        "customer/done.html",
        q=g.q,
        flow=flow,
        response=g.response,
        just_submitted=request.args.get("submitted") == "1",
    )
