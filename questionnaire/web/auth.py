"""Engineers' login: Flask-Login sessions whose id carries a nonce that logout rotates.

Failed sign-ins are throttled per account and per client address (``accounts.sign_in``), with
counters in the shared rate-limit store (``guessing.py``): ``LOGIN_ACCOUNT_LIMIT`` and
``LOGIN_ADDRESS_LIMIT``. A throttled sign-in gets 429 with ``Retry-After`` and says how long to
wait, whether or not the account exists.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from limits import RateLimitItem, parse
from wtforms import EmailField, HiddenField, PasswordField

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import User

from . import guessing, inputs

bp = Blueprint("auth", __name__, url_prefix="/e")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.session_protection = "strong"

LIMITS = {
    # One account: enough for a person who mistypes, far too few to guess a password.
    "LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
    # One address: several engineers may sign in from one office.
    "LOGIN_ADDRESS_LIMIT": "30 per 15 minutes",
}
WRONG = "Enter a correct email address and password"


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


class SharedThrottle:
    """``accounts.Throttle`` over the shared rate-limit store, with the configured limits."""

    def __init__(self, account: RateLimitItem, address: RateLimitItem) -> None:
        self.limits = {"account": account, "address": address}

    def wait(self, scope: str, key: str) -> int:
        return guessing.wait(f"login-{scope}", self.limits[scope], key)

    def failed(self, scope: str, key: str) -> int:
        over = guessing.hit(f"login-{scope}", self.limits[scope], key)
        return over or self.wait(scope, key)


def _throttle() -> SharedThrottle:
    throttle: SharedThrottle = current_app.extensions["login_throttle"]
    return throttle


def _page(form: LoginForm, error: str | None, status: int = 200) -> Any:
    return render_template("engineer/login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return _page(form, None)
    if not form.validate_on_submit():
        return _page(form, "Your session expired. Try again.", 400)
    try:
        email = inputs.text(form.email.data, "email", "The email address")
    except inputs.Invalid:
        return _page(form, WRONG, 400)  # no account has such an address
    outcome = accounts.sign_in(
        db.session(), _throttle(), email, form.password.data or "", request.remote_addr or ""
    )
    if isinstance(outcome, accounts.Throttled):
        return _throttled(form, outcome.retry_after)
    if isinstance(outcome, accounts.Refused):
        return _page(form, WRONG, 400)
    session.clear()  # no state survives from before the login
    login_user(Engineer(outcome.user))
    return redirect(inputs.safe_next(form.next.data, url_for("engineer.engagements")))


def _throttled(form: LoginForm, retry_after: int) -> Any:
    minutes = -(-retry_after // 60)
    error = (
        "Too many failed sign-ins. Wait "
        + (f"{minutes} minutes" if minutes > 1 else "a minute")
        + ", then try again. If you have forgotten your password, ask an administrator."
    )
    page, status = _page(form, error, 429)
    return page, status, {"Retry-After": str(retry_after)}


@bp.post("/logout")
def logout() -> Any:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    form = FlaskForm()
    if not form.validate_on_submit():
        return redirect(url_for("engineer.engagements"))
    accounts.sign_out(db.session(), current_user.user)
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    for key, default in LIMITS.items():
        app.config.setdefault(key, default)
    app.extensions["login_throttle"] = SharedThrottle(
        parse(app.config["LOGIN_ACCOUNT_LIMIT"]), parse(app.config["LOGIN_ADDRESS_LIMIT"])
    )
