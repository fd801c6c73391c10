"""Response headers every page gets, and log redaction of link tokens."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

#: Questionnaire links (``/r/``), SoW review links (``/s/``), booking links (``/b/``) and the
#: engineers' private feeds (``/calendar/<token>.ics``).
TOKEN_IN_PATH = re.compile(r"/([rsb]|calendar)/[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """Link tokens never reach a log: ``/r/<token>`` becomes ``/r/[redacted]``."""
    return TOKEN_IN_PATH.sub(r"/\1/[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = redact(record.getMessage())
            record.args = ()
        else:
            record.msg = redact(str(record.msg))
        return True


def register(app: Flask) -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
