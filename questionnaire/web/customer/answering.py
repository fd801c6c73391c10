"""Answering: the start page, one page at a time, and the preview the script asks for."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from questionnaire.services import journey
from questionnaire.store import db
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm, raw_values
from questionnaire.web.pages import all_questions, render_page, render_preview

from . import oversized
from .blueprint import bp, csrf_held, go, opened, posted_version


@bp.get("/")
def start() -> Any:
    link = opened()
    if link.submitted:
        return go(journey.Go("done"))
    flow = journey.flow_of(services(), link) if link.response else None
    return render_template(
        "customer/start.html", q=link.questionnaire, engagement=link.engagement, flow=flow,
        form=ActionForm(),
    )  # fmt: skip


@bp.post("/start")
def begin() -> Any:
    if not csrf_held():
        abort(400, description="Your session expired. Open the link again to continue.")
    return go(journey.start(db.session(), services(), opened()))


@bp.get("/resume")
def resume() -> Any:
    return go(journey.resume(services(), opened()))


@bp.get("/p/<page_id>")
def page(page_id: str) -> Any:
    view = journey.show_page(services(), opened(), page_id)
    return go(view) if isinstance(view, journey.Go) else render_page(view)


@bp.post("/p/<page_id>")
def save(page_id: str) -> Any:
    # (A bad token never gets here: the CSRF error handler gives the page back as typed.)
    if not csrf_held():
        abort(400, description="Your session expired. Go back, reload the page and try again.")
    link = opened()
    questions = (
        [cq.question for cq in link.questionnaire.pages[page_id].questions]
        if (page_id in link.questionnaire.pages)
        else []
    )
    values = raw_values(questions)
    shown = request.form.get("_shown")
    dropped = oversized.files_dropped()
    posted = journey.PostedPage(
        version=posted_version(),
        values=values,
        files={} if dropped else {key: request.files[key] for key in request.files},
        later=request.form.get("action") == "later",
        shown_before=frozenset(shown.split()) if shown is not None else None,
    )
    outcome = journey.answer_page(db.session(), services(), link, page_id, posted)
    if dropped:
        return _files_dropped(page_id, outcome, values, later=posted.later)
    if isinstance(outcome, journey.Go):
        return go(outcome)
    return render_page(
        outcome.view, values, outcome.errors, notice=outcome.notice, status=outcome.status
    )


def _files_dropped(
    page_id: str, outcome: journey.Go | journey.PageProblems, values: dict[str, Any], *, later: bool
) -> Any:
    """The request was over ``MAX_CONTENT_LENGTH``: its other answers were saved as any page's
    are, and the page comes back (413) with what was typed and an error on each file question
    given a file, as for a file over its own question's limit."""
    if isinstance(outcome, journey.PageProblems):
        view, errors, notice = outcome.view, dict(outcome.errors), outcome.notice
    else:
        shown = journey.show_page(services(), opened(), page_id)
        if isinstance(shown, journey.Go):  # the page no longer applies (submitted elsewhere)
            return go(shown)
        view, errors, notice = shown, {}, "partly_saved" if later else None
    refused = oversized.dropped_file_errors(view.state.questions)
    if not refused:  # no file was given for a question shown: nothing was lost
        if isinstance(outcome, journey.Go):
            return go(outcome)
        return render_page(view, values, errors, notice=notice, status=outcome.status)
    return render_page(view, values, {**errors, **refused}, notice=notice, status=413)


@bp.post("/p/<page_id>/preview")
def preview(page_id: str) -> Any:
    """The page's questions for the values typed so far, for the script that enhances pages.

    The server evaluates the conditions (one implementation of the logic); nothing is saved.
    A 409 tells the script the page no longer applies (answers submitted elsewhere): reload.
    """
    view = journey.show_page(services(), opened(), page_id)
    if isinstance(view, journey.Go):
        return "", 409
    if not csrf_held():
        abort(400, description="Your session expired.")
    return render_preview(view, raw_values(all_questions(view)))
