"""The engineers' blueprint and what its views share.

Every route needs a login: the check runs before any view of the blueprint, so a route added
later cannot forget it (a test walks ``app.url_map`` to prove it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from questionnaire.store import db
from questionnaire.store.models import Engagement
from questionnaire.web.auth import login_manager
from questionnaire.web.forms import ActionForm

bp = Blueprint("engineer", __name__, url_prefix="/e")


@bp.before_request
def _require_login() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def actor() -> str:
    return str(current_user.email)


def checked_form() -> ActionForm:
    """The posted form, if its CSRF token is valid (every POST here changes something)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="Your session expired. Go back, reload the page and try again.")
    return form


def engagement_or_404(engagement_id: int) -> Engagement:
    found = db.session().get(Engagement, engagement_id)
    if found is None:
        abort(404, description="There is no such engagement.")
    return found
