"""Engineers' login: Flask-Login sessions whose id carries a nonce that logout rotates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField

from questionnaire.services import accounts, audit
from questionnaire.store import db
from questionnaire.store.models import User

bp = Blueprint("auth", __name__, url_prefix="/e")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.session_protection = "strong"


class Engineer(UserMixin):  # type: ignore[misc]
    """The logged-in engineer, as Flask-Login sees them."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return accounts.login_id(self.user)

    @property
    def email(self) -> str:
        return self.user.email


@login_manager.user_loader  # type: ignore[untyped-decorator]
def _load(login_id: str) -> Engineer | None:
    user = accounts.user_for_login_id(db.session(), login_id)
    return Engineer(user) if user else None


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email address")
    password = PasswordField("Password")
    next = HiddenField()


def safe_next(target: str | None) -> str:
    """Only a path on this site: ``//elsewhere``, ``https://elsewhere`` and ``\\\\x`` are refused."""
    default = url_for("engineer.engagements")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template("engineer/login.html", form=form, error=None)
    if not form.validate_on_submit():
        return render_template(
            "engineer/login.html", form=form, error="Your session expired. Try again."
        ), 400
    user = accounts.authenticate(db.session(), form.email.data or "", form.password.data or "")
    if user is None:
        error = "Enter a correct email address and password"
        return render_template("engineer/login.html", form=form, error=error), 400
    session.clear()  # no state survives from before the login
    login_user(Engineer(user))
    audit.record(db.session(), user.email, "user.login")
    db.session().commit()
    return redirect(safe_next(form.next.data))


@bp.post("/logout")
def logout() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    form = FlaskForm()
    if not form.validate_on_submit():
        return redirect(url_for("engineer.engagements"))
    accounts.end_sessions(db.session(), current_user.user)
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
