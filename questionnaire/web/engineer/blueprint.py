"""The engineers' blueprint and what its views share.

Every route needs a login: the check runs before any view of the blueprint, so a route added
later cannot forget it (a test walks ``app.url_map`` to prove it). Every lookup the use cases
make by an id in the URL raises ``NotFound``, answered here with a 404 that says what is missing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user

from questionnaire.services.sow_desk import NotFound
from questionnaire.web.auth import login_manager
from questionnaire.web.errors import render_error
from questionnaire.web.forms import ActionForm

bp = Blueprint("engineer", __name__, url_prefix="/e")


@bp.before_request
def _require_login() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Any:
    return render_error(404, str(exc))


def actor() -> str:
    return str(current_user.email)


def checked_form() -> ActionForm:
    """The posted form, if its CSRF token is valid (every POST here changes something)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description="Your session expired. Go back, reload the page and try again.")
    return form
