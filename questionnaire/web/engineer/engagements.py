"""Engagements: the list, a new engagement, one engagement's facts, links, answers and files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from questionnaire.services import audit, engagements, links, sow, uploads
from questionnaire.services.filetypes import KIND_MEDIA_TYPES
from questionnaire.store import db
from questionnaire.store.models import Engagement, Link, Upload
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm
from sow_prefill.prefill import FACTS as PREFILL_FACTS

from .blueprint import actor, bp, checked_form, engagement_or_404

#: The commercial facts an engineer can record: those the SoW templates read, bar the two an
#: engagement holds as columns.
FACTS = {key: label for key, label in PREFILL_FACTS.items() if key not in ("customer", "project")}


@bp.get("/", endpoint="engagements")
def engagements_index() -> Any:
    number = request.args.get("page", "1")
    result = engagements.page(
        db.session(),
        search=request.args.get("q", "")[:200],
        stage=request.args.get("stage", ""),
        number=int(number) if number.isdigit() else 1,
    )
    return render_template("engineer/engagements.html", page=result, stages=engagements.STAGES)


@bp.route("/engagements/new", methods=["GET", "POST"])
def new_engagement() -> Any:
    definitions = sorted(services().definitions.current)
    if request.method == "GET":
        return render_template(
            "engineer/new.html", form=ActionForm(), definitions=definitions, errors={}
        )
    checked_form()
    customer = request.form.get("customer", "").strip()
    definition = request.form.get("definition", "")
    days = request.form.get("expires_days", "14")
    errors = {}
    if not customer or len(customer) > 200:
        errors["customer"] = "Enter the customer's organisation name (200 characters at most)"
    if definition not in definitions:
        errors["definition"] = "Select a questionnaire"
    if not days.isdigit() or not 1 <= int(days) <= 365:
        errors["expires_days"] = "Enter a number of days between 1 and 365"
    if errors:
        page = render_template(
            "engineer/new.html", form=ActionForm(), definitions=definitions, errors=errors
        )
        return page, 400
    invitation = links.invite(
        db.session(), customer, definition, timedelta(days=int(days)), actor(),
        request.form.get("project", "").strip()[:200] or None,
    )  # fmt: skip
    return _show_new_link(invitation.engagement, invitation.token)


def _show_new_link(engagement: Engagement, token: str) -> Any:
    """The only time a link is shown: only its hash is stored."""
    url = links.link_url(current_app.config["BASE_URL"], token)
    return render_template("engineer/link_created.html", engagement=engagement, url=url)


@bp.get("/engagements/<int:engagement_id>")
def engagement(engagement_id: int) -> Any:
    found = engagement_or_404(engagement_id)
    session = db.session()
    response = found.responses[-1] if found.responses else None
    flow = q = None
    if response is not None:
        q = services().definitions.by_hash(session, response.definition_sha256)
        flow = services().flows.flow_of(q, response)
    draft = sow.draft_of(session, found)
    prefill = sow.prefill_state(session, response) if response is not None else None
    events = audit.recent(session, found.id)
    return render_template(
        "engineer/engagement.html",
        engagement=found,
        response=response,
        q=q,
        flow=flow,
        draft=draft,
        prefill=prefill,
        events=events,
        facts=FACTS,
        link_state=engagements.link_state(found),
        form=ActionForm(),
    )


@bp.post("/engagements/<int:engagement_id>/facts")
def save_facts(engagement_id: int) -> Any:
    checked_form()
    found = engagement_or_404(engagement_id)
    facts = {key: request.form.get(key, "").strip()[:200] for key in FACTS}
    found.facts = {key: value for key, value in facts.items() if value}
    project = request.form.get("project", "").strip()[:200]
    found.project = project or None
    audit.record(
        db.session(), actor(), "engagement.facts", engagement_id=found.id, facts=found.facts
    )
    db.session().commit()
    flash("Commercial facts saved.")
    return redirect(url_for(".engagement", engagement_id=found.id))


@bp.post("/engagements/<int:engagement_id>/links")
def issue_link(engagement_id: int) -> Any:
    """A new link; any open one ends (a re-issue)."""
    checked_form()
    found = engagement_or_404(engagement_id)
    definition = found.links[-1].definition_id if found.links else "pre_discovery"
    days = int(current_app.config["LINK_EXPIRY_DAYS"])
    _, token = links.issue_link(db.session(), found, definition, timedelta(days=days), actor())
    db.session().commit()
    return _show_new_link(found, token)


@bp.post("/engagements/<int:engagement_id>/links/<int:link_id>/revoke")
def revoke_link(engagement_id: int, link_id: int) -> Any:
    checked_form()
    link = db.session().get(Link, link_id)
    if link is None or link.engagement_id != engagement_id:
        abort(404, description="There is no such link.")
    links.revoke(db.session(), link, actor())
    db.session().commit()
    flash("The link no longer works. Saved answers are kept.")
    return redirect(url_for(".engagement", engagement_id=engagement_id))


@bp.get("/files/<upload_id>")
def download(upload_id: str) -> Any:
    upload = db.session().get(Upload, upload_id)
    if upload is None:
        abort(404, description="There is no such file.")
    path = uploads.path_of(services().settings, upload)
    if not path.is_file():
        abort(404, description="The file is missing from storage.")
    return send_file(
        path,
        mimetype=KIND_MEDIA_TYPES.get(upload.kind, "application/octet-stream"),
        as_attachment=True,
        download_name=upload.original_name,
        max_age=0,
    )
