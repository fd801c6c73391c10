"""The engineers' blueprint and what its views share.

Every route needs a login, then one of the roles ``services.permissions`` allows for it: both
checks run before any view of the blueprint, so a route added later cannot forget them (tests
walk ``app.url_map`` to prove it, for no login and for every role). Every lookup the use cases
make by an id in the URL raises ``NotFound``, answered here with a 404 that says what is missing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from flask_login import current_user

from questionnaire.services import permissions
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


@bp.before_request
def _require_role() -> Any:
    """403 unless the account holds a role the endpoint allows (none: nobody may)."""
    if permissions.allows(request.endpoint, current_user.user.roles):
        return None
    who = permissions.describe(permissions.roles_for(request.endpoint or ""))
    return render_error(
        403,
        f"This page is for {who}, and your account does not have that role. "
        "If you need it, ask an administrator.",
    )


@bp.context_processor
def _may() -> dict[str, Any]:
    """``may(endpoint)`` for templates, so links show only where the check lets them through."""
    roles = current_user.user.roles if current_user.is_authenticated else frozenset()
    return {"may": lambda endpoint: permissions.allows(endpoint, roles)}


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
