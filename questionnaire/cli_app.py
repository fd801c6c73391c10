"""Commands that need the web application: database, invitations, serving, the demo."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask

from . import create_app
from .services import demo as demo_setup
from .services import links
from .services.context import Context
from .services.settings import Settings
from .store import db
from .store.models import Role


def _app(overrides: dict[str, Any] | None = None) -> Flask:
    return create_app(overrides)


def _context(app: Flask) -> Context:
    found: Context = app.extensions["services"]
    return found


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic revisions are the only way it changes)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the configured database to REVISION (default: the latest)."""
    url = _app().config["DATABASE_URL"]
    db.upgrade(url, revision)
    click.echo(f"database at revision {db.current_revision(url)}")


@db_group.command("current")
def db_current() -> None:
    """Print the database's current revision."""
    click.echo(
        db.current_revision(_app().config["DATABASE_URL"])
        or "empty (run: questionnaire db upgrade)"
    )


_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta:
    """``14d``, ``12h`` or ``30m``."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([dhm])\s*", text)
    if not match:
        raise click.BadParameter("use a number and a unit, like 14d, 12h or 30m")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{_UNITS[unit]: amount})


def _invite(
    app: Flask, customer: str, definition: str, expires_in: timedelta, project: str | None
) -> str:
    with app.app_context():
        loaded = _context(app).definitions.current
        if definition not in loaded:
            known = ", ".join(sorted(loaded)) or "none loaded"
            raise click.BadParameter(f"unknown definition '{definition}' (loaded: {known})")
        invitation = links.invite(db.session(), customer, definition, expires_in, "cli", project)
        return links.link_url(app.config["BASE_URL"], invitation.token)


@click.command()
@click.option("--customer", required=True, help="The customer's organisation name.")
@click.option("--project", help="The project name, if any.")
@click.option("--definition", default="pre_discovery", show_default=True)
@click.option("--expires-in", help="e.g. 14d or 48h; default: LINK_EXPIRY_DAYS (14) days")
def invite(customer: str, project: str | None, definition: str, expires_in: str | None) -> None:
    """Create an engagement and its one-time link, and print the link."""
    app = _app()
    lifetime = parse_duration(expires_in or f"{app.config['LINK_EXPIRY_DAYS']}d")
    click.echo(_invite(app, customer, definition, lifetime, project))


#: Threads per worker. A client that sends part of a request holds one until it finishes or
#: hangs up (gunicorn has no header timeout), so a few slow clients cannot block a worker; more
#: than that is the reverse proxy's job, which buffers whole requests (see the README).
THREADS = 8
SERVING = {
    # Threads, not one request per process: an idle connection waits in the worker's poller
    # without a thread, and a slow client holds one thread instead of the whole worker.
    "worker_class": "gthread",
    # A worker that stops checking in (its main loop stuck) is restarted after this long.
    "timeout": 30,
    # On restart or stop, requests in flight get this long to finish.
    "graceful_timeout": 20,
    # Idle keep-alive connections cost no thread; long enough for a page's assets or a proxy.
    "keepalive": 5,
    "accesslog": "-",
}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Threads per worker: requests each worker serves at once.",
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the app with gunicorn (worker processes, each with a pool of threads)."""
    run_gunicorn(host, port, workers, threads=threads)


def run_gunicorn(
    host: str, port: int, workers: int, overrides: dict[str, Any] | None = None, **options: Any
) -> None:
    """Serve the app with gunicorn: ``SERVING`` and ``THREADS`` unless ``options`` say otherwise."""
    from gunicorn.app.base import BaseApplication

    settings = {"bind": f"{host}:{port}", "workers": workers, "threads": THREADS}
    settings |= SERVING | options

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return create_app(overrides)

    Server().run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def demo(host: str, port: int, workers: int) -> None:
    """Migrate the database, set up the demo engagement and engineer login, print them, and
    serve with the background worker beside the web server."""
    from_env = os.environ.get("QUESTIONNAIRE_BASE_URL")
    overrides = {} if from_env else {"BASE_URL": f"http://{host}:{port}"}
    app = _app(overrides)
    if not from_env:  # so that `questionnaire invite` beside the demo prints working links
        note_demo_address(app)
    db.upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        made = demo_setup.set_up(
            db.session(), _context(app), "pre_discovery", secrets.token_urlsafe(12)
        )
    click.echo("")
    click.echo(f"  Customer's questionnaire link: {made.link_url}")
    click.echo(f"  Engineers sign in at {app.config['BASE_URL']}/e/login")
    click.echo(f"    email:    {made.engineer_email}")
    click.echo(f"    password: {made.engineer_password}   (a new one on every start)")
    click.echo(f"  Database: {app.config['DATABASE_URL']}")
    click.echo(f"  Email: {_where_mail_goes(_context(app).settings, app.config['BASE_URL'])}")
    click.echo("")
    sys.stdout.flush()
    worker = start_worker_process(overrides)
    try:
        run_gunicorn(host, port, workers, overrides)
    finally:
        worker.terminate()
        worker.wait(10)


def _where_mail_goes(settings: Settings, base_url: str) -> str:
    mail = settings.mail
    if mail.transport == "outbox":
        return f"written as .eml files to {mail.outbox_dir}; read them at {base_url}/e/outbox"
    return f"sent through {mail.host}:{mail.port} ({mail.security})"


def note_demo_address(app: Flask) -> None:
    from .web.config import DEMO_ADDRESS

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    (instance / DEMO_ADDRESS).write_text(app.config["BASE_URL"], encoding="utf-8")


def start_worker_process(overrides: dict[str, Any]) -> subprocess.Popen[bytes]:
    """The background worker beside the demo's web server, with the same settings."""
    env = {**os.environ, **{f"QUESTIONNAIRE_{k}": str(v) for k, v in overrides.items()}}
    return subprocess.Popen([sys.executable, "-m", "questionnaire.cli", "worker"], env=env)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs that are due, then stop.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks at the queue.")
def worker_command(once: bool, poll: float) -> None:
    """Run the background worker: SoW pre-fills and exports, outside any request."""
    import signal
    import threading

    from .worker import Worker

    app = _app()
    worker = Worker(_context(app), app.extensions["database"])
    if once:
        outcomes = worker.run_pending()
        click.echo(f"{len(outcomes)} job(s) run, {sum(not o.ok for o in outcomes)} failed")
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    worker.run_forever(stop, poll)


def register(group: click.Group) -> None:
    for command in (db_group, invite, serve, demo, user_group, worker_command):
        group.add_command(command)


@click.group("user")
def user_group() -> None:
    """Accounts of the people who sign in: sales, services leads, engineers, admins."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="What the account may do; repeat it for several (--role sales --role engineer).",
)
@click.option("--name", help="How the person is shown (default: the email's local part).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email: str, roles: tuple[str, ...], name: str | None, password_stdin: bool) -> None:
    """Create an account with its roles; the password is prompted for (or read from stdin)."""
    from .services import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        try:
            user = accounts.create_user(
                db.session(), email, password, name, roles={Role(role) for role in roles}
            )
        except accounts.AccountError as exc:
            raise click.BadParameter(str(exc)) from None
        click.echo(f"created {user.email} ({', '.join(sorted(roles))})")
