"""``questionnaire preview``: one definition served locally, as customers will see its pages.

The pages are the customer's own (``customer/page.html``, ``customer/review.html``, the fields
of :mod:`.fields` through :mod:`.pages`), and each post goes through the engine's
:func:`~questionnaire.engine.submit_page` as the app's does; beside each page the flow's view
(:mod:`.preview_panel`) says what the engine decided and why. There is no database, no sign-in
and no worker: the answers live in memory (:mod:`.preview_state`), the session key is made at
start-up, and the definition file is read again when it changes. A file that does not load
shows its problems, located, instead of the page, until it is fixed.

This is a local authoring tool: the command binds 127.0.0.1 only.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from questionnaire.engine import REVIEW, PageNotOnPath, PageState, submit_page
from questionnaire.engine.compiled import Questionnaire
from questionnaire.engine.types import JSON
from questionnaire.services.settings import DEFAULTS

from . import jinja
from .customer_urls import CustomerUrls
from .forms import raw_values
from .pages import all_questions, render_page, render_summary
from .preview_files import file_answers
from .preview_panel import panel
from .preview_state import Broken, Preview, PreviewPage

if TYPE_CHECKING:
    from questionnaire.services.journey import PageView

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
#: The preview's frame: a ``base.html`` that puts the flow's view beside the app's own frame.
FRAME = TEMPLATES / "preview" / "frame"

bp = Blueprint("preview", __name__)


def create_preview_app(
    path: Path,
    facts: Mapping[str, JSON] | None = None,
    records: Mapping[str, JSON] | None = None,
) -> Flask:
    """The preview of the definition at ``path``, starting from the engagement's ``facts``
    and given its ``records`` (by source) for the groups that take them."""
    app = Flask(__name__, static_folder=str(HERE / "static"))
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),  # the session lives as long as the process
        CONTACT_EMAIL=DEFAULTS["CONTACT_EMAIL"],
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # files are read, recorded, then forgotten
    )
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(FRAME),
            PrefixLoader({"app": FileSystemLoader(TEMPLATES)}),
            FileSystemLoader(TEMPLATES),
        ]
    )
    jinja.register(app)
    CSRFProtect(app)
    app.extensions["preview"] = Preview(Path(path), facts, records)
    from . import preview_records  # noqa: F401 (its routes join this blueprint's)

    app.register_blueprint(bp)
    return app


def preview_of() -> Preview:
    return cast(Preview, current_app.extensions["preview"])


#: The names the preview answers to. Another name is a page elsewhere that resolved itself to
#: this machine (DNS rebinding) to read the author's definition: refused.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


@bp.before_app_request
def _local_only() -> None:
    if request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS:
        abort(400, description="The preview answers only at http://127.0.0.1.")


@bp.before_app_request
def _customer_urls() -> None:
    # The customer pages' links, rooted here instead of at a link's token.
    g.customer_urls = CustomerUrls(f"{request.script_root}/")


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    title = "The preview restarted since this page was opened"
    return _error_page(title, "Go back and reload the page.", 400)


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> HTTPException | tuple[str, int]:
    if exc.code is None or exc.code < 400:  # a routing redirect, not an error
        return exc
    return _error_page(exc.name, exc.description, exc.code)


def _error_page(title: str, description: str | None, status: int) -> tuple[str, int]:
    contact = current_app.config["CONTACT_EMAIL"]
    html = render_template("error.html", title=title, description=description, contact=contact)
    return html, status


def loaded() -> Questionnaire | tuple[str, int]:
    """The definition, or the page of its problems (422) while the file does not load."""
    current = preview_of().current()
    if isinstance(current, Broken):
        html = render_template(
            "preview/problems.html", path=preview_of().path, diagnostics=current.diagnostics
        )
        return html, 422
    return current


def go_to(page_id: str, anchor: str | None = None) -> Response:
    if page_id == REVIEW:
        return redirect(url_for("preview.review"))
    target = url_for("preview.page", page_id=page_id)
    return redirect(f"{target}#{anchor}" if anchor else target)


def with_panel(q: Questionnaire, view: PreviewPage | None, page_id: str) -> None:
    flow = view.flow if view else preview_of().flow(q)
    # The frame (templates/preview/frame/base.html) includes the panel when g holds it.
    g.flow_view = {"panel": panel(q, flow, page_id), "path": preview_of().path, "q": q}


@bp.get("/")
def start() -> Any:
    q = loaded()
    if not isinstance(q, Questionnaire):
        return q
    return go_to(preview_of().flow(q).resume_page)


def page_on_path(page_id: str) -> PreviewPage | Any:
    """The page for the answers so far; else where to go instead (or the file's problems)."""
    q = loaded()
    if not isinstance(q, Questionnaire):
        return q
    flow = preview_of().flow(q)
    if page_id not in flow.pages:
        return go_to(flow.resume_page)
    return PreviewPage(q, preview_of().draft, flow, page_id)


@bp.get("/p/<page_id>")
def page(page_id: str) -> Any:
    view = page_on_path(page_id)
    if not isinstance(view, PreviewPage):
        return view
    with_panel(view.q, view, page_id)
    return render_page(cast("PageView", view))


@bp.post("/p/<page_id>")
def save(page_id: str) -> Any:
    before = page_on_path(page_id)
    if not isinstance(before, PreviewPage):
        return before
    q, preview = before.q, preview_of()
    typed = raw_values(all_questions(cast("PageView", before)))
    values = {**typed, **file_answers(q, page_id, preview.draft.answers)}
    try:
        result = submit_page(q, preview.draft.answers, page_id, values, whole_flow=True)
    except PageNotOnPath:
        return go_to(before.flow.resume_page)
    state = result.flow.pages.get(page_id)
    if state is None:
        return go_to(result.flow.resume_page)
    preview.save(result.answers)
    revealed = _revealed(state)
    errors = _errors_to_show(state, result.errors, revealed, later=_later())
    view = PreviewPage(q, preview.draft, result.flow, page_id)
    if errors:
        with_panel(q, view, page_id)
        notice = "partly_saved" if _later() else None
        return render_page(cast("PageView", view), values, errors, notice=notice, status=400)
    if revealed:  # without JavaScript, the questions the answers revealed are asked now
        return go_to(page_id, anchor=f"{revealed[0]}-group")
    return go_to(page_id if _later() else result.flow.next_page(page_id))


def _later() -> bool:
    return request.form.get("action") == "later"


def _revealed(after: PageState) -> tuple[str, ...]:
    """The questions the answers just posted revealed and left unanswered (as the app asks
    them: shown, not reported missing)."""
    shown = request.form.get("_shown")
    if shown is None:
        return ()
    before = set(shown.split())
    return tuple(
        s.id for s in after.questions if s.id not in before and s.value is None and not s.records
    )


def _errors_to_show(
    state: PageState, errors: Mapping[str, str], revealed: tuple[str, ...], *, later: bool
) -> dict[str, str]:
    missing = set(state.missing)
    kept = {k: v for k, v in errors.items() if not (k in missing and k.split("[")[0] in revealed)}
    if later:  # saved for later: only what was typed and could not be kept matters
        kept = {k: v for k, v in kept.items() if k not in missing}
    return kept


@bp.get("/review")
def review() -> Any:
    q = loaded()
    if not isinstance(q, Questionnaire):
        return q
    flow = preview_of().flow(q)
    with_panel(q, None, REVIEW)
    return render_summary(
        "customer/review.html",
        flow,
        changeable=True,
        notice=None,
        version=preview_of().draft.version,
    )


@bp.post("/submit")
def submit() -> Any:
    """What submitting would keep: nothing is sent from a preview."""
    q = loaded()
    if not isinstance(q, Questionnaire):
        return q
    flow = preview_of().flow(q)
    if not flow.complete:
        return go_to(REVIEW)
    with_panel(q, None, REVIEW)
    return render_summary("preview/submitted.html", flow, changeable=False)


@bp.post("/start-again")
def start_again() -> Response:
    preview_of().start_again()
    return redirect(url_for("preview.start"))


@bp.get("/_preview/stamp")
def stamp() -> tuple[str, int, dict[str, str]]:
    """The file's stamp, which the optional script compares to reload the page after a save."""
    mtime, size = preview_of().stamp()
    return f"{mtime}-{size}", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}
