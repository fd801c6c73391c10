"""The customer's way through a questionnaire, behind a one-time link: ``/r/<token>/...``.

Views are thin: they resolve the link, call the response service and render. A GET never
changes anything (mail scanners open links before people do).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from questionnaire.engine import REVIEW, FlowResult, PageNotOnPath, PageState, RecordNotFound
from questionnaire.engine.model import Question
from questionnaire.services import links, responses, sow, uploads
from questionnaire.services.definitions import registry
from questionnaire.store import db
from questionnaire.store.models import ResponseStatus

from .errors import render_error
from .forms import ActionForm, input_values, page_form, raw_values
from .guessing import count_failed_lookup
from .pages import (
    PageView,
    all_questions,
    page_questions,
    previewed,
    record_values,
    render_page,
    render_record,
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
def _load_link() -> None:
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


def _submitted() -> bool:
    return g.response is not None and g.response.status is ResponseStatus.SUBMITTED


def _to_resume() -> WerkzeugResponse:
    if g.response is None:
        return redirect(url_for(".start"))
    if _submitted():
        return redirect(url_for(".done"))
    target = _flow().resume_page
    return redirect(url_for(".review") if target == REVIEW else url_for(".page", page_id=target))


@bp.get("/")
def start() -> Any:
    if _submitted():
        return redirect(url_for(".done"))
    flow = _flow() if g.response else None
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
    return _to_resume()


@bp.get("/resume")
def resume() -> Any:
    return _to_resume()


def _flow() -> FlowResult:
    """The flow of the stored answers, computed at most once per request and version."""
    key = (g.response.id, g.response.version) if g.response else None
    if g.get("flow_key") != key:
        g.flow, g.flow_key = responses.flow_of(g.q, g.response), key
    flow: FlowResult = g.flow
    return flow


def _page_view(page_id: str) -> PageView:
    if g.response is None or _submitted():
        raise _Redirect(_to_resume())
    # The whole path, not just up to this page: the page shows "page 3 of 7" and its progress.
    flow = _flow()
    if page_id not in flow.pages:
        raise _Redirect(_to_resume())
    return PageView(g.q, g.response, flow, page_id)


class _Redirect(Exception):
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
        _load_link()
        view = _page_view((request.view_args or {}).get("page_id", ""))
    except (HTTPException, _Redirect):
        return render_error(400, expired)
    questions = all_questions(view)
    form = page_form(questions)
    form.version.data = str(g.response.version)
    return render_page(view, form, raw_values(form, questions), {}, notice="session", status=400)


@bp.errorhandler(_Redirect)
def _follow(exc: _Redirect) -> WerkzeugResponse:
    return exc.response


@bp.get("/p/<page_id>")
def page(page_id: str) -> Any:
    view = _page_view(page_id)
    questions = page_questions(view.state)
    form = page_form(questions, formdata=None)
    form.version.data = str(g.response.version)
    return render_page(view, form, input_values(questions, g.response.answers), {})


@bp.post("/p/<page_id>")
def save(page_id: str) -> Any:
    view = _page_view(page_id)
    questions = all_questions(view)
    form = page_form(questions)
    posted = raw_values(form, questions)
    if not form.validate_on_submit():
        # Usually a session cookie lost while the page was open: keep what was typed, ask again.
        form.version.data = str(g.response.version)
        return render_page(view, form, posted, {}, notice="session", status=400)
    file_errors = _accept_files(view, questions, posted)
    try:
        result = responses.save_page(
            db.session(), g.q, g.response, _version(form), page_id, posted, g.actor
        )
    except responses.Conflict:
        form.version.data = str(g.response.version)
        return render_page(view, form, posted, {}, notice="conflict", status=409)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except PageNotOnPath:
        return _to_resume()
    later = request.form.get("action") == "later"
    state = result.flow.pages[page_id]
    errors = {**result.errors, **file_errors}
    if later:  # saving for later needs no missing answer, only no invalid one
        errors = {k: v for k, v in errors.items() if k not in state.missing}
    if errors:
        view = PageView(g.q, g.response, _flow(), page_id)
        form.version.data = str(g.response.version)
        status = 413 if any(e.too_large for e in file_errors.values()) else 400
        return render_page(view, form, posted, errors, status=status)
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


def _version(form: ActionForm) -> int:
    try:
        return int(form.version.data or 0)
    except ValueError:
        return 0


@bp.post("/p/<page_id>/preview")
def preview(page_id: str) -> Any:
    """The page's questions for the values typed so far, for the script that enhances pages.

    The server evaluates the conditions (one implementation of the logic); nothing is saved.
    A 409 tells the script the page no longer applies (answers submitted elsewhere): reload.
    """
    try:
        view = _page_view(page_id)
    except _Redirect:
        return "", 409
    questions = all_questions(view)
    form = page_form(questions)
    if not form.validate_on_submit():
        abort(400, description="Your session expired.")
    posted = raw_values(form, questions)
    return render_page(view, form, posted, {}, fragment=True, preview=posted)


@bp.route("/p/<page_id>/<group>/<item>", methods=["GET", "POST"])
def record(page_id: str, group: str, item: str) -> Any:
    view = _page_view(page_id)
    index = None if item == "new" else _index(item)
    shown = next((q for q in view.state.questions if q.id == group and q.type == "repeat"), None)
    if shown is None or (index is not None and index >= len(shown.records)):
        abort(404, description="That item does not exist.")
    if request.method == "GET":
        return render_record(view, shown, index, None, {})
    form = ActionForm()
    if not form.validate_on_submit():
        return render_record(view, shown, index, request.form, {}, notice="session", status=400)
    try:
        result = responses.save_record(
            db.session(),
            g.q,
            g.response,
            _version(form),
            group,
            index,
            record_values(request.form, shown, index),
            g.actor,
        )
    except responses.Conflict:
        return render_record(view, shown, index, request.form, {}, notice="conflict", status=409)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except (PageNotOnPath, RecordNotFound):
        return _to_resume()
    if result.errors:
        return render_record(view, shown, index, request.form, result.errors, status=400)
    return redirect(url_for(".page", page_id=page_id, _anchor=group))


@bp.route("/p/<page_id>/<group>/<item>/remove", methods=["GET", "POST"])
def remove(page_id: str, group: str, item: str) -> Any:
    view = _page_view(page_id)
    index = _index(item)
    shown = next((q for q in view.state.questions if q.id == group and q.type == "repeat"), None)
    if shown is None or index >= len(shown.records):
        abort(404, description="That item does not exist.")
    form = ActionForm()
    if request.method == "GET":
        form.version.data = str(g.response.version)
        return render_template(
            "customer/remove.html", q=g.q, view=view, group=shown, index=index, form=form
        )
    if not form.validate_on_submit():
        abort(400, description="Your session expired. Go back and try again.")
    if request.form.get("confirm") == "yes":
        try:
            responses.delete_record(
                db.session(), g.q, g.response, _version(form), group, index, g.actor
            )
        except responses.Conflict:
            abort(
                409,
                description="Your answers were changed in another window. Go back and try again.",
            )
        except responses.AlreadySubmitted:
            return redirect(url_for(".done"))
    return redirect(url_for(".page", page_id=page_id, _anchor=group))


def _index(item: str) -> int:
    if not item.isdigit() or len(item) > 4:
        abort(404, description="That item does not exist.")
    return int(item)


@bp.get("/saved")
def saved() -> Any:
    if g.response is None:
        return redirect(url_for(".start"))
    link = links.link_url(current_app.config["BASE_URL"], g.token)
    return render_template("customer/saved.html", q=g.q, link=link, expires_at=g.link.expires_at)


@bp.get("/review")
def review() -> Any:
    if g.response is None or _submitted():
        return _to_resume()
    form = ActionForm()
    form.version.data = str(g.response.version)
    return render_template("customer/review.html", q=g.q, flow=_flow(), form=form)


@bp.post("/submit")
def submit() -> Any:
    if g.response is None:
        return _to_resume()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(
            400,
            description="Your session expired. Open the link again and submit from the review page.",
        )
    try:
        responses.submit(db.session(), g.q, g.response, _version(form), g.actor)
    except responses.AlreadySubmitted:
        return redirect(url_for(".done"))
    except responses.Conflict:
        flow = _flow()
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
    if not _submitted():
        return _to_resume()
    flow = _flow()
    return render_template(
        "customer/done.html",
        q=g.q,
        flow=flow,
        response=g.response,
        just_submitted=request.args.get("submitted") == "1",
    )
