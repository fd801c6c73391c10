"""The application factory: a short list of ``register_*`` steps."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from questionnaire.store import db

from . import (
    auth,
    context,
    customer,
    edge,
    engineer,
    errors,
    guessing,
    inputs,
    jinja,
    security,
    site,
)
from .config import configure
from .extensions import csrf


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    # The instance folder (database, uploads, keys) may be put elsewhere: a second demo beside
    # the first, or a deployment's data volume.
    instance = os.environ.get("QUESTIONNAIRE_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance, instance_relative_config=True)
    configure(app, test_config)
    register_extensions(app)
    inputs.register(app)  # the ``int`` converter, before any route is added
    register_blueprints(app)
    errors.register(app)
    jinja.register(app)
    security.register(app)
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    context.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    edge.register(app)  # before the CSRF check: it reads the form
    guessing.init_app(app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(site.bp)
    app.register_blueprint(customer.bp)
    app.register_blueprint(customer.review_bp)
    app.register_blueprint(customer.booking_bp)
    app.register_blueprint(customer.calendar_feed_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(engineer.bp)
