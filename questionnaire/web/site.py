"""Pages outside any link: the front page and a health check for load balancers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import text

from questionnaire.store import db
from questionnaire.web.context import services

bp = Blueprint("site", __name__)


@bp.get("/")
def index() -> Any:
    return render_template("index.html")


@bp.get("/healthz")
def health() -> Any:
    """200 when the database answers and at least one questionnaire is loaded."""
    db.session().execute(text("SELECT 1"))
    loaded = sorted(services().definitions.current)
    return {"status": "ok" if loaded else "no questionnaires loaded", "definitions": loaded}, (
        200 if loaded else 503
    )
