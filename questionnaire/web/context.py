"""What a request needs from the app, typed: the use cases' context, and the request's session."""

from __future__ import annotations

from flask import Flask, current_app

from questionnaire.services.context import Context


def init_app(app: Flask) -> Context:
    context = Context.from_config(app.config)
    app.extensions["services"] = context
    return context


def services() -> Context:
    found: Context = current_app.extensions["services"]
    return found
