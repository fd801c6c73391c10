"""The web benchmark's baseline: bare Flask serving the same HTML from a template compiled once,
and the floor (a session cookie, a CSRF token and one query). Served by gunicorn as
``bench.web_baseline:baseline_app()``; see ``bench/web.py``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import VERSION
from bench.web_setup import (
    BASELINE_NEXT,
    BASELINE_PAGES,
    CSRF,
    FLOOR_ENV,
    GET_PAGE,
    GET_REVIEW,
    GET_SYNTHETIC,
    HTML_ENV,
    Prepared,
)

# -- the baseline: bare Flask, the same HTML from a template compiled once ------------------------


def baseline_template(html: str) -> str:
    """The page as a Jinja template: the CSRF token and version (when the page has them) are
    variables, the rest raw."""
    source = html
    for pattern, name in ((VERSION, "version"), (CSRF, "csrf_token")):  # the later one first
        match = pattern.search(source)
        if match is None:
            continue
        start, end = match.span(1)
        source = f"{source[:start]}{{% endraw %}}{{{{ {name} }}}}{{% raw %}}{source[end:]}"
    return "{% raw %}" + source + "{% endraw %}"


def baseline_pages(prepared: Prepared) -> dict[str, dict[str, str]]:
    """What :func:`baseline_app` serves: a template and its two values, by path."""
    owners = {GET_PAGE: prepared.customers[0], GET_REVIEW: prepared.customers[0],
              GET_SYNTHETIC: prepared.synthetic}  # fmt: skip
    served = {}
    for scenario, path in BASELINE_PAGES.items():
        html = prepared.pages[scenario]
        version = VERSION.search(html)
        served[path] = {
            "template": baseline_template(html),
            "csrf": owners[scenario].csrf,
            "version": version.group(1) if version else "",
        }
    return served


def baseline_app() -> Any:
    """Gunicorn's app for the baseline: ``bench.web_baseline:baseline_app()``, pages' path in the env.

    A GET renders a precompiled template with two variables. POST parses the form (the same
    multipart body our app gets), reads ``version`` as an int and answers 303 to a fixed URL:
    the least a save does, with no CSRF check, database, validation or flow.
    """
    from flask import Flask, redirect, request

    served = json.loads(Path(os.environ[HTML_ENV]).read_text())
    app = Flask("bench_baseline")
    for path, page in served.items():
        template = app.jinja_env.from_string(page["template"])

        def show(template: Any = template, page: dict[str, str] = page) -> str:
            return str(template.render(csrf_token=page["csrf"], version=page["version"]))

        app.add_url_rule(path, f"get{path}", show, methods=["GET"])

    @app.post("/page")
    def save() -> Any:
        int(request.form.get("version") or 0)
        return redirect(BASELINE_NEXT, 303)

    if FLOOR_ENV in os.environ:
        add_floor(app, json.loads(os.environ[FLOOR_ENV]), served["/page"])
    return app


def add_floor(app: Any, floor: dict[str, str], page: dict[str, str]) -> None:
    """``GET /floor``: the same page with only the work no implementation of ours can skip:
    the customer's session cookie read, a CSRF token signed for the form, and one query by
    the link's token through a SQLAlchemy session of the app's engine (Core, one column).
    Information, not a target: what the app spends above it is what rendering, the ORM and
    the request hooks cost."""
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import bindparam, select

    from questionnaire.store.db import Database
    from questionnaire.store.models import Link

    app.secret_key = floor["secret_key"]
    database = Database(floor["database_url"])
    links = Link.__table__.c
    query = select(links.id).where(links.token_hash == bindparam("token_hash"))
    template = app.jinja_env.from_string(page["template"])

    def show() -> str:
        with database.session() as db:
            db.execute(query, {"token_hash": floor["token_hash"]}).first()
        return str(template.render(csrf_token=generate_csrf(), version=page["version"]))

    app.add_url_rule("/floor", "floor", show, methods=["GET"])
