"""Answering: the start page, one page at a time, and the preview the script asks for."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for

from questionnaire.engine import REVIEW, PageNotOnPath, PageState, evaluate
from questionnaire.engine.model import Question
from questionnaire.services import responses, uploads
from questionnaire.services.definitions import registry
from questionnaire.store import db
from questionnaire.web.forms import ActionForm, input_values, raw_values
from questionnaire.web.pages import (
    PageView,
    all_questions,
    page_questions,
    previewed,
    render_page,
)

from .blueprint import (
    RedirectTo,
    bp,
    current_flow,
    is_submitted,
    page_view,
    posted_version,
    to_resume,
)


@bp.get("/")
def start() -> Any:
    if is_submitted():
        return redirect(url_for(".done"))
    flow = current_flow() if g.response else None
    return render_template(
        "customer/start.html", q=g.q, engagement=g.link.engagement, flow=flow, form=ActionForm()
    )


@bp.post("/start")
def begin() -> Any:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="Your session expired. Open the link again to continue.")
    if g.response is None:
        g.response = responses.start(db.session(), registry(), g.link, g.actor)
    return to_resume()


@bp.get("/resume")
def resume() -> Any:
    return to_resume()


@bp.get("/p/<page_id>")
def page(page_id: str) -> Any:
    view = page_view(page_id)
    questions = page_questions(view.state)
    return render_page(
        view, str(g.response.version), input_values(questions, g.response.answers), {}
    )


@bp.post("/p/<page_id>")
def save(page_id: str) -> Any:
    # Saving needs the flow up to the page only; the page shown again needs the whole path.
    view = page_view(page_id, upto=True)
    stored = g.response.answers
    questions = all_questions(view)
    form = ActionForm()
    posted = raw_values(questions)
    if not form.validate_on_submit():
        # Usually a session cookie lost while the page was open: keep what was typed, ask again.
        view = page_view(page_id)
        return render_page(view, str(g.response.version), posted, {}, notice="session", status=400)
    file_errors = _accept_files(view, questions, posted)
    try:
        result = responses.save_page(
            db.session(), g.q, g.response, posted_version(form), page_id, posted, g.actor
        )
    except responses.Conflict:
        # The page as it was opened: the answers it was checked against, on their whole path.
        view = PageView(g.q, view.response, evaluate(g.q, stored, trusted=True), page_id)
        return render_page(view, str(g.response.version), posted, {}, notice="conflict", status=409)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except PageNotOnPath:
        return to_resume()
    later = request.form.get("action") == "later"
    state = result.flow.pages[page_id]
    errors = {**result.errors, **file_errors}
    if later:  # saving for later needs no missing answer, only no invalid one
        errors = {k: v for k, v in errors.items() if k not in state.missing}
    if errors:
        view = PageView(g.q, g.response, current_flow(), page_id)
        status = 413 if any(e.too_large for e in file_errors.values()) else 400
        return render_page(view, str(g.response.version), posted, errors, status=status)
    if later:
        return redirect(url_for(".saved"))
    revealed = _revealed(view, state)
    if revealed:  # without JavaScript, questions the answers revealed are asked now
        return redirect(url_for(".page", page_id=page_id, _anchor=f"{revealed}-group"))
    following = result.flow.next_page(page_id)
    return redirect(
        url_for(".review") if following == REVIEW else url_for(".page", page_id=following)
    )


def _revealed(before: PageView, after: PageState) -> str | None:
    """The first question that the answers just posted revealed and left unanswered, if any."""
    posted = request.form.get("_shown")
    shown_before = (
        set(posted.split()) if posted is not None else {q.id for q in before.state.questions}
    )
    for shown in after.questions:
        if shown.id not in shown_before and shown.value is None and not shown.records:
            return shown.id
    return None


def _accept_files(
    view: PageView, questions: list[Question], posted: dict[str, Any]
) -> dict[str, Any]:
    """Store the files posted for file questions shown with the values posted alongside them."""
    files = [q for q in questions if q.type == "file"]
    if not files:
        return {}
    shown_now = {shown.id for shown in previewed(view, posted).questions}
    visible = [q for q in files if q.id in shown_now]
    return uploads.accept_files(db.session(), g.q, g.response, visible, request.files, posted)


@bp.post("/p/<page_id>/preview")
def preview(page_id: str) -> Any:
    """The page's questions for the values typed so far, for the script that enhances pages.

    The server evaluates the conditions (one implementation of the logic); nothing is saved.
    A 409 tells the script the page no longer applies (answers submitted elsewhere): reload.
    """
    try:
        view = page_view(page_id)
    except RedirectTo:
        return "", 409
    questions = all_questions(view)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="Your session expired.")
    posted = raw_values(questions)
    return render_page(view, form.version.data or "", posted, {}, fragment=True, preview=posted)
