"""The engineer's private feed of their bookings, to subscribe to: ``/calendar/<token>.ics``.

No login (calendar programs cannot sign in): the token is the key, as a booking link's is. It
is looked up by its hash, one of the wrong shape never reaches the database, a token that
opens nothing counts as a guess for the guessing limit, and the token is redacted from logs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g
from flask_login import AnonymousUserMixin

from questionnaire.services import booking_feed
from questionnaire.store import db
from questionnaire.web.guessing import count_failed_lookup

bp = Blueprint("calendar_feed", __name__)


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Any:
    g._login_user = AnonymousUserMixin()  # no one signs in here (see customer.blueprint)
    try:
        found = booking_feed.own_feed(db.session(), token)
    except booking_feed.NoSuchFeed:
        count_failed_lookup()
        abort(404, description="This calendar address is not valid, or it was replaced.")
    return Response(found.content, mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="bookings.ics"'})  # fmt: skip
