"""Accounts, for administrators: every account with its roles and state; change the roles,
deactivate, reactivate. Who may reach these pages is the permissions table's (admins only).

Each POST reads the form, calls one use case of ``services/people.py`` and redirects back; a
change the rules refuse shows the page again with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.services import people
from questionnaire.store import db
from questionnaire.store.models import Role, User
from questionnaire.web.forms import ActionForm

from .blueprint import bp, checked_form

ROLE_LABELS = {
    Role.SALES: "Sales",
    Role.LEAD: "Services lead",
    Role.ENGINEER: "Engineer",
    Role.ADMIN: "Administrator",
}


def _page(error: str | None = None, status: int = 200) -> Any:
    page = render_template(
        "engineer/admin_accounts.html",
        accounts=people.accounts(db.session()),
        me=current_user.user,
        labels=ROLE_LABELS,
        form=ActionForm(),
        error=error,
    )
    return page, status


def _posted_roles() -> set[Role]:
    values = request.form.getlist("roles")
    known = {role.value for role in Role}
    if not set(values) <= known:
        abort(400, description="Choose roles from the list.")
    return {Role(value) for value in values}


def _change(change: Callable[..., User], user_id: int, *args: Any) -> Any:
    """Run one use case as the signed-in administrator; back to the list, or its refusal."""
    checked_form()
    try:
        user = change(db.session(), current_user.user, user_id, *args)
    except people.PeopleError as exc:
        return _page(str(exc), 400)
    flash(f"Saved the changes to {user.email}.")
    return redirect(url_for("engineer.admin_accounts"))


@bp.get("/admin/accounts")
def admin_accounts() -> Any:
    return _page()


@bp.post("/admin/accounts/<int:user_id>/roles")
def admin_set_roles(user_id: int) -> Any:
    return _change(people.set_roles, user_id, _posted_roles())


@bp.post("/admin/accounts/<int:user_id>/deactivate")
def admin_deactivate(user_id: int) -> Any:
    return _change(people.deactivate, user_id)


@bp.post("/admin/accounts/<int:user_id>/reactivate")
def admin_reactivate(user_id: int) -> Any:
    return _change(people.reactivate, user_id)
