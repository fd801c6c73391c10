"""The customer's booking pages, in each state, and the protections questionnaire links have
(security plan lines 1-7, 10, 29 and 35): the token's shape, guessing limited, no data behind a
dead link, no change on GET, CSRF, headers, redaction."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from questionnaire.services import links
from questionnaire.store import db
from questionnaire.store.bookings import Booking, BookingLink
from questionnaire.store.models import DefinitionVersion, Response, utcnow
from questionnaire.web.security import redact

from .booking_flow import CONTACT, ENGINEER, book, first_slot, linked
from .customer import csrf_token, error_summary
from .state import dump, with_config

GARBAGE = ["' OR '1'='1", "A" * 42 + "'", "x" * 10_240, "A" * 43 + "\x00", "é" * 43, "..", "%"]
PATHS = ["/", "/confirm", "/booked", "/reschedule", "/cancel"]


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Booking)) or 0


def test_the_page_shows_free_slots_by_day_in_the_zone_chosen_with_what_the_call_is_for(
    app: Flask,
) -> None:
    token = linked(app, customer="<b>Acme</b> Health")
    page = app.test_client().get(f"/b/{token}/?zone=America/New_York")
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Book your discovery call" in text and "It takes 1 hour." in text
    assert "understand your technical requirements" in text
    assert "&lt;b&gt;Acme&lt;/b&gt; Health" in page.text and "<b>Acme</b>" not in page.text
    assert '<option value="America/New_York" selected>' in page.text
    legends = re.findall(r'<legend class="fieldset__legend">([^<]+)</legend>', page.text)
    assert len(legends) >= 5 and len(set(legends)) == len(legends)  # one group per day
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    # The engineer works 09:00-17:00 in London by default: 04:00 to 12:00 in New York (winter)
    # or 04:00 to 11:00 and the like around the changes; never outside those hours.
    hours = {int(h) for h in re.findall(r'radios__label" for="[^"]+">(\d\d):\d\d to', page.text)}
    assert hours and hours <= set(range(3, 13))


def test_without_a_choice_the_zone_is_the_questionnaires_answer_else_the_default(
    app: Flask,
) -> None:
    token = linked(app)
    page = app.test_client().get(f"/b/{token}/")
    assert '<option value="Europe/London" selected>' in page.text
    assert "data-zone-default" in page.text  # booking.js may put the browser's zone in
    answered = _answered(app, "Asia/Tokyo")
    page = app.test_client().get(f"/b/{answered}/")
    assert '<option value="Asia/Tokyo" selected>' in page.text
    assert "The one you gave in our questionnaire" in page.text
    assert "data-zone-default" not in page.text


def _answered(app: Flask, zone: str) -> str:
    """A new engagement whose questionnaire answer gives ``zone``, with a booking link."""
    token = linked(app, customer="Zoned Health")
    with app.app_context():
        session = db.session()
        link = session.scalars(select(BookingLink).order_by(BookingLink.id.desc())).first()
        assert link is not None
        version = DefinitionVersion(sha256="0" * 64, definition_id="small", version="1",
                                    source_name="x", source_text="x")  # fmt: skip
        session.add(version)
        session.add(Response(engagement_id=link.engagement_id, definition_id="small",
                             definition_sha256=version.sha256, answers={"timezone": zone}))  # fmt: skip
        session.commit()
    return token


def test_a_zone_not_in_the_list_gets_a_400_with_the_form_back(app: Flask) -> None:
    token = linked(app)
    for zone in ("Mars/Olympus", "../../etc/passwd", "x" * 500):
        page = app.test_client().get(f"/b/{token}/?zone={quote(zone)}")
        assert page.status_code == 400
        assert error_summary(page.text) == [("zone", "Choose a time zone from the list")]
    # A control character is refused at the edge, before any view, as on every page.
    assert app.test_client().get(f"/b/{token}/?zone=Europe/London%00").status_code == 400


def test_choosing_a_slot_and_confirming_books_it_and_the_link_then_says_it_was_used(
    app: Flask,
) -> None:
    token = linked(app)
    client = app.test_client()
    slot = first_slot(client, token)
    form = client.get(f"/b/{token}/confirm?slot={slot}&zone=America/New_York")
    assert form.status_code == 200
    assert f'value="{CONTACT[0]}"' in form.text and f'value="{CONTACT[1]}"' in form.text
    assert "(America/New_York)" in form.text
    done = book(client, token, slot)
    assert done.status_code == 303 and done.location == f"/b/{token}/booked"  # type: ignore[attr-defined]
    booked = client.get(f"/b/{token}/booked")
    assert "Your discovery call is booked" in booked.text
    assert f'href="/b/{token}/reschedule?zone=America/New_York"' in booked.text
    assert f'href="/b/{token}/cancel"' in booked.text
    again = app.test_client().get(f"/b/{token}/")
    assert again.status_code == 200 and "This booking link has been used" in again.text
    assert 'name="slot"' not in again.text
    assert _count(app) == 1


def test_a_slot_taken_meanwhile_says_so_with_the_refreshed_slots(app: Flask) -> None:
    ours, theirs = linked(app, "Acme Health"), linked(app, "Beta Imaging")
    client = app.test_client()
    slot = first_slot(client, theirs)
    page = client.get(f"/b/{theirs}/confirm?slot={slot}&zone=America/New_York")
    book(app.test_client(), ours, slot)
    posted = client.post(f"/b/{theirs}/confirm", data={
        "csrf_token": csrf_token(page.text), "slot": slot, "zone": "America/New_York",
        "name": "Kim", "email": "kim@beta.example.com",
    })  # fmt: skip
    assert posted.status_code == 409
    assert "That time has just been taken" in posted.text
    assert f'value="{slot}"' not in posted.text and 'name="slot"' in posted.text
    assert client.get(f"/b/{theirs}/confirm?slot={slot}&zone=UTC").status_code == 409


def test_the_confirmation_form_names_each_mistake_and_keeps_what_was_typed(app: Flask) -> None:
    token = linked(app)
    client = app.test_client()
    slot = first_slot(client, token)
    posted = book(client, token, slot, name="", email="jo@")
    assert posted.status_code == 400  # type: ignore[attr-defined]
    assert [key for key, _ in error_summary(posted.text)] == ["name", "email"]  # type: ignore[attr-defined]
    assert 'value="jo@"' in posted.text  # type: ignore[attr-defined]
    assert _count(app) == 0
    assert client.get(f"/b/{token}/confirm?zone=UTC").status_code == 400  # no slot chosen
    assert client.get(f"/b/{token}/confirm?slot=nonsense&zone=UTC").status_code == 400


def test_moving_and_cancelling_from_the_link(app: Flask) -> None:
    token = linked(app)
    client = app.test_client()
    book(client, token, first_slot(client, token))
    page = client.get(f"/b/{token}/reschedule?zone=America/New_York")
    assert page.status_code == 200 and "Move your discovery call" in page.text
    slots = re.findall(r'name="slot" type="radio" value="([^"]+)"', page.text)
    moved = client.post(
        f"/b/{token}/reschedule",
        data={"csrf_token": csrf_token(page.text), "slot": slots[3], "zone": "America/New_York"},
    )
    assert moved.status_code == 303
    assert "has moved" in client.get(moved.location).text
    with app.app_context():
        booking = db.session().scalars(select(Booking)).one()
        assert (
            booking.sequence == 1 and booking.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ") == slots[3]
        )
    confirm = client.get(f"/b/{token}/cancel")
    assert "Cancel your discovery call?" in confirm.text
    cancelled = client.post(f"/b/{token}/cancel", data={"csrf_token": csrf_token(confirm.text)})
    assert cancelled.status_code == 303
    after = client.get(f"/b/{token}/booked")
    assert "Your discovery call is cancelled" in after.text
    assert f'href="/b/{token}/cancel"' not in after.text
    assert client.get(f"/b/{token}/cancel").status_code == 409  # nothing left to cancel


def test_within_the_notice_moving_and_cancelling_say_whom_to_ask(app: Flask) -> None:
    token = linked(app)
    client = app.test_client()
    book(client, token, first_slot(client, token))
    with app.app_context():
        soon = utcnow() + timedelta(hours=3)
        db.session().execute(update(Booking).values(starts_at=soon, ends_at=soon))
        db.session().commit()
    page = client.get(f"/b/{token}/booked")
    assert f'href="/b/{token}/cancel"' not in page.text and ENGINEER in page.text
    refused = client.get(f"/b/{token}/reschedule")
    assert refused.status_code == 409 and "can no longer be changed online" in refused.text


def _dead(body: str) -> None:
    assert 'name="slot"' not in body and "Book your" not in body


def test_expired_revoked_and_unknown_links_show_nothing_and_say_whom_to_ask(app: Flask) -> None:
    token = linked(app)
    with app.app_context():
        db.session().execute(update(BookingLink).values(expires_at=utcnow()))
        db.session().commit()
    for path in PATHS:
        expired = app.test_client().get(f"/b/{token}{path}")
        assert expired.status_code == 410, path
        assert "This booking link has expired" in expired.text and ENGINEER in expired.text
        _dead(expired.text)
    revoked = linked(app, "Beta Imaging")
    linked(app, "Beta Imaging")  # another engagement: the first stays
    with app.app_context():
        db.session().execute(
            update(BookingLink)
            .where(BookingLink.token_hash == links.token_hash(revoked))
            .values(revoked_at=utcnow())
        )
        db.session().commit()
    page = app.test_client().get(f"/b/{revoked}/")
    assert page.status_code == 410 and "no longer active" in page.text
    _dead(page.text)
    unknown = app.test_client().get(f"/b/{links.new_token()}/")
    assert unknown.status_code == 404 and "not valid" in unknown.text


@with_config(LINK_GUESS_LIMIT="1000 per minute")
@pytest.mark.parametrize("path", PATHS)
def test_a_token_of_the_wrong_shape_gets_a_4xx_never_a_500(app: Flask, path: str) -> None:
    client = app.test_client()
    for token in [quote(g, safe="") for g in GARBAGE] + ["%00", "%ff%fe", "A" * 42 + "%00"]:
        got = client.get(f"/b/{token}{path}")
        assert 400 <= got.status_code < 500, (token[:50], got.status_code)
        posted = client.post(f"/b/{token}{path}", data={"name": "x"})
        assert 400 <= posted.status_code < 500, (token[:50], posted.status_code)
    for feed in [quote(g, safe="") for g in GARBAGE]:
        assert 400 <= client.get(f"/calendar/{feed}.ics").status_code < 500


@with_config(LINK_GUESS_LIMIT="3 per minute")
def test_unknown_and_dead_tokens_count_toward_the_guessing_limit(app: Flask) -> None:
    good = linked(app)
    client = app.test_client()
    assert [client.get(f"/b/{links.new_token()}/").status_code for _ in range(2)] == [404, 404]
    assert client.get(f"/calendar/{links.new_token()}.ics").status_code == 404  # the third
    limited = client.get(f"/b/{links.new_token()}/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    other = app.test_client()
    for _ in range(5):  # a working link never counts
        got = other.get(f"/b/{good}/", environ_base={"REMOTE_ADDR": "198.51.100.9"})
        assert got.status_code == 200


def test_following_the_links_with_get_changes_nothing(app: Flask) -> None:
    token = linked(app)
    client = app.test_client()
    slot = first_slot(client, token)
    before = dump(app)
    for path in [*PATHS, f"/confirm?slot={slot}&zone=UTC", "/?zone=Asia/Tokyo"]:
        response = client.get(f"/b/{token}{path}")
        assert response.status_code in (200, 302, 400), (path, response.status_code)
    assert dump(app) == before
    book(client, token, slot)
    after = dump(app)
    for path in [*PATHS, "/reschedule?zone=UTC"]:
        client.get(f"/b/{token}{path}")
    assert dump(app) == after


def test_every_booking_post_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(
    app: Flask,
) -> None:
    token = linked(app)
    slot = first_slot(app.test_client(), token)
    foreign = csrf_token(app.test_client().get(f"/b/{token}/confirm?slot={slot}&zone=UTC").text)
    client = app.test_client()
    client.get(f"/b/{token}/")
    posts = sorted(r.rule for r in app.url_map.iter_rules()
                   if r.endpoint.startswith("booking.") and "POST" in (r.methods or ()))  # fmt: skip
    assert posts == ["/b/<token>/cancel", "/b/<token>/confirm", "/b/<token>/reschedule"]
    before = dump(app)
    for rule in posts:
        for csrf in (None, "", "not-a-token", foreign):
            data = {"slot": slot, "zone": "UTC", "name": "Jo Typed", "email": "jo@acme.example.com"}
            if csrf is not None:
                data["csrf_token"] = csrf
            got = client.post(rule.replace("<token>", token), data=data)
            assert got.status_code == 400, (rule, csrf, got.status_code)
            if rule.endswith("confirm"):
                assert 'value="Jo Typed"' in got.text and "Please check your details" in got.text
    assert dump(app) == before


def test_booking_tokens_are_redacted_from_log_lines() -> None:
    token = links.new_token()
    line = f'"GET /b/{token}/confirm HTTP/1.1" 200, "GET /calendar/{token}.ics HTTP/1.1" 200'
    assert token not in redact(line)
    assert redact(line) == (
        '"GET /b/[redacted]/confirm HTTP/1.1" 200, "GET /calendar/[redacted].ics HTTP/1.1" 200'
    )
