"""Engagements: the list, a new engagement, one engagement's facts, links, answers and files.

Each view reads the request (through ``web/inputs.py``), calls one use case of
``services/engagement_desk.py`` and renders or redirects: no view queries or commits.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for

from questionnaire.services import engagement_desk as desk
from questionnaire.services.engagements import STAGES, Listing
from questionnaire.store import db
from questionnaire.web import inputs
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm
from questionnaire.web.summary import summary

from .blueprint import actor, bp, checked_form


@bp.get("/", endpoint="engagements")
def engagements_index() -> Any:
    listing = Listing(
        search=inputs.arg_text("q", "The search")[:200],
        stage=request.args.get("stage", ""),
        after=inputs.row_id(request.args.get("after")),
        before=inputs.row_id(request.args.get("before")),
    )
    page = desk.list_engagements(db.session(), listing)
    return render_template("engineer/engagements.html", page=page, listing=listing, stages=STAGES)


@bp.route("/engagements/new", methods=["GET", "POST"])
def new_engagement() -> Any:
    if request.method == "GET":
        return _new_page({})
    checked_form()
    try:
        form = desk.EngagementForm(
            customer=inputs.form_text("customer", "The customer's name"),
            project=inputs.form_text("project", "The project"),
            definition=request.form.get("definition", ""),
            expires_days=inputs.whole_number(request.form.get("expires_days", "14")),
        )
    except inputs.Invalid as invalid:
        return _new_page({invalid.field: str(invalid.description)}), 400
    created = desk.new_engagement(db.session(), services(), form, actor())
    if isinstance(created, dict):
        return _new_page(created), 400
    return _show_new_link(created)


def _new_page(errors: dict[str, str]) -> str:
    definitions = sorted(services().definitions.current)
    return render_template(
        "engineer/new.html", form=ActionForm(), definitions=definitions, errors=errors
    )


def _show_new_link(link: desk.NewLink) -> str:
    """The only time a link is shown: only its hash is stored."""
    return render_template("engineer/link_created.html", link=link)


@bp.get("/engagements/<int:engagement_id>")
def engagement(engagement_id: int) -> Any:
    page = desk.engagement_page(db.session(), services(), engagement_id)
    answers = (  # no Change links
        summary(page.answers.flow, None, page.answers.removed_files) if page.answers else None
    )
    return render_template(
        "engineer/engagement.html", page=page, answers_html=answers, form=ActionForm()
    )


@bp.post("/engagements/<int:engagement_id>/facts")
def save_facts(engagement_id: int) -> Any:
    checked_form()
    facts = {key: inputs.form_text(key, label) for key, label in desk.EDITABLE.items()}
    project = inputs.form_text("project", "The project")
    desk.save_facts(db.session(), engagement_id, facts, project, actor())
    flash("Commercial facts saved.")
    return redirect(url_for(".engagement", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/links")
def issue_link(engagement_id: int) -> Any:
    """A new link; any open one ends (a re-issue)."""
    checked_form()
    link = desk.reissue_link(db.session(), services().settings, engagement_id, actor())
    return _show_new_link(link)


@bp.post("/engagements/<int:engagement_id>/links/<int:link_id>/revoke")
def revoke_link(engagement_id: int, link_id: int) -> Any:
    checked_form()
    if desk.revoke_link(db.session(), engagement_id, link_id, actor()):
        flash("The link no longer works. Saved answers are kept.")
    else:
        flash("That link had already been revoked.")
    return redirect(url_for(".engagement", engagement_id=engagement_id))


@bp.get("/files/<upload_id>")
def download(upload_id: str) -> Any:
    found = desk.download(db.session(), services().settings, upload_id)
    return send_file(
        found.path,
        mimetype=found.media_type,
        as_attachment=True,
        download_name=found.filename,
        max_age=0,
    )
