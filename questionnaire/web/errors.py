"""One error page for every error: a clear message, whom to contact, and no data."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with that request",
    409: "Your answers were changed somewhere else",
    410: "This link no longer works",
    413: "That file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

DEFAULT_ADVICE = {
    413: "Files must be smaller than the size shown on the page. Go back and choose a smaller file.",
    429: "Wait a minute, then try again. If you keep seeing this, contact us.",
    500: "Try again later. Your saved answers are safe.",
}


def render_error(status: int, description: str | None) -> tuple[str, int]:
    return (
        render_template(
            "error.html",
            status=status,
            title=TITLES.get(status, "Sorry, there is a problem"),
            description=description or DEFAULT_ADVICE.get(status, ""),
            contact=current_app.config["CONTACT_EMAIL"],
        ),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int, dict[str, str]]:
        status = exc.code or 500
        description = exc.description if _custom(exc) else None
        page, status = render_error(status, description)
        # Keep what the exception says in headers (Retry-After, Allow, WWW-Authenticate).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return page, status, headers

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return render_error(400, "Your session expired. Go back, reload the page and try again.")

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError) -> tuple[str, int]:
        log.exception("unhandled error", exc_info=exc.original_exception)
        return render_error(500, None)


def _custom(exc: HTTPException) -> bool:
    """Whether the description was written by us (werkzeug's defaults are for developers)."""
    return exc.description != type(exc).description
