"""The first look at every request, before any view or extension reads it.

Bodies are the content type a form sends, and nothing a browser would never send (a NUL in the
path or a query, a form part without a name) gets further than a clear 400 or 415: no view,
and no extension such as the CSRF check, ever sees input of a shape it does not expect.
"""

from __future__ import annotations

from flask import Flask, abort, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSENDABLE = "\x00"


def register(app: Flask) -> None:
    """Register before every other ``before_request`` hook (the CSRF check included)."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


def check_request() -> None:
    if UNSENDABLE in request.path or any(
        UNSENDABLE in key or UNSENDABLE in value for key, value in request.args.items(multi=True)
    ):
        abort(400, description="The address contains a character that cannot be used in it.")
    if request.method != "POST":
        return
    if request.mimetype not in FORM_TYPES and (request.content_length or 0) > 0:
        abort(415, description="Send this form from its page in a web browser.")
    if any(not key for key in request.form) or any(not key for key in request.files):
        abort(400, description="The form was not sent correctly. Go back and try again.")
