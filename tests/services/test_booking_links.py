"""Sending and opening booking links: one-time, hashed, expiring, revocable, re-issued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from questionnaire.services import booking_links, links
from questionnaire.services.booking_customer import BookingRefused, LinkState, open_booking
from questionnaire.services.context import Context
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.bookings import BookingLink
from questionnaire.store.models import AuditEvent, Engagement, OutgoingEmail, utcnow
from tests.sent_mail import text_as_sent

from .booking_support import CONTACT, ENGINEER, book, emails, engagement, engineer, form, send_link
from .factories import Factory


def test_a_link_is_256_bits_stored_only_as_its_hash_and_never_readable_in_the_outbox(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    assert links.valid_shape(token) and len(token) == 43  # 32 bytes from secrets
    link = db.scalars(select(BookingLink)).one()
    assert link.token_hash == links.token_hash(token)
    dump = "".join(
        repr(row)
        for table in ("booking_links", "outgoing_emails", "jobs", "audit_events")
        for row in db.execute(text(f"SELECT * FROM {table}")).all()
    )
    assert token not in dump
    [email] = emails(db, booking_links.LINK_TEMPLATE)
    assert "/b/" not in email.text_body + email.html_body  # a stand-in until it is sent
    assert f"https://questionnaire.example.com/b/{token}/" in text_as_sent(services, email)


def test_the_email_says_what_the_meeting_is_for_how_long_it_takes_and_until_when(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    send_link(db, services, found.id, kind="implementation_session")
    [email] = emails(db, booking_links.LINK_TEMPLATE)
    body = text_as_sent(services, email)
    assert email.subject == "Book your implementation session with Loadbalancer.org: Acme Health"
    assert "configure the load balancer with you" in body
    assert "It takes 4 hours." in body
    assert "The link works until 23:59 UTC on" in body and "for one booking" in body
    assert email.recipients == [{"name": CONTACT[0], "address": CONTACT[1]}]
    assert email.reply_to == ENGINEER


def test_a_new_link_ends_the_open_one_of_the_same_kind_only(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    first = send_link(db, services, found.id)
    other_kind = send_link(db, services, found.id, kind="validation_call")
    second = send_link(db, services, found.id)
    with pytest.raises(BookingRefused) as refused:
        open_booking(db, services, first)
    assert refused.value.state is LinkState.REVOKED
    assert open_booking(db, services, second).state is LinkState.ACTIVE
    assert open_booking(db, services, other_kind).state is LinkState.ACTIVE
    reasons = db.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == booking_links.REVOKED_ACTION)
    ).all()
    assert [r["reason"] for r in reasons] == ["reissued"]


def test_a_used_link_is_not_ended_by_a_new_one_and_stays_the_way_to_the_booking(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    first = send_link(db, services, found.id)
    book(db, services, first)
    send_link(db, services, found.id)
    assert open_booking(db, services, first).state is LinkState.USED


def test_the_states_of_a_link(make: Factory, db: Session, services: Context) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    assert open_booking(db, services, token).state is LinkState.ACTIVE
    for bad in ("", "x" * 43, "a" * 42, "' OR 1=1 --", "\x00" * 43, "é" * 43):
        with pytest.raises(BookingRefused) as refused:
            open_booking(db, services, bad)
        assert refused.value.state is LinkState.UNKNOWN and refused.value.contact is None
    db.execute(update(BookingLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    with pytest.raises(BookingRefused) as expired:
        open_booking(db, services, token)
    assert expired.value.state is LinkState.EXPIRED
    assert expired.value.contact is not None and expired.value.contact.email == ENGINEER


def test_revoking_a_link_ends_it_once_and_never_ends_a_used_one(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    token = send_link(db, services, found.id)
    link_id = db.scalars(select(BookingLink.id)).one()
    assert booking_links.revoke_booking_link(db, found.id, link_id, ENGINEER)
    assert not booking_links.revoke_booking_link(db, found.id, link_id, ENGINEER)
    with pytest.raises(BookingRefused):
        open_booking(db, services, token)
    used = send_link(db, services, found.id)
    book(db, services, used)
    used_id = db.scalars(select(BookingLink.id).order_by(BookingLink.id.desc())).first()
    assert used_id is not None
    assert not booking_links.revoke_booking_link(db, found.id, used_id, ENGINEER)
    assert open_booking(db, services, used).state is LinkState.USED
    with pytest.raises(NotFound):
        booking_links.revoke_booking_link(db, found.id + 1, used_id, ENGINEER)


def test_the_form_says_what_is_wrong_with_each_field_and_sends_nothing(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    bad = form(kind="lunch", days="0", contact_email="not an address", contact_name="x" * 201)
    with pytest.raises(booking_links.InvalidSend) as invalid:
        booking_links.send_booking_link(db, services, found.id, bad, ENGINEER)
    assert set(invalid.value.errors) == {"kind", "expires_days", "contact_email", "contact_name"}
    assert db.scalars(select(BookingLink)).all() == []
    assert db.scalars(select(OutgoingEmail)).all() == []
    with pytest.raises(NotFound):
        booking_links.send_booking_link(db, services, 2**31, form(), ENGINEER)


def test_the_contact_as_corrected_on_the_form_is_kept_on_the_engagement(
    make: Factory, db: Session, services: Context
) -> None:
    engineer(db)
    found = engagement(make, db)
    corrected = form(contact_name="Jo Other", contact_email="jo.other@acme.example.com")
    booking_links.send_booking_link(db, services, found.id, corrected, ENGINEER)
    db.expire_all()
    kept = db.get(Engagement, found.id)
    assert kept is not None
    assert (kept.contact_name, kept.contact_email) == ("Jo Other", "jo.other@acme.example.com")
