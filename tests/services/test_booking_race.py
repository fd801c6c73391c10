"""Never double-booked, by the database: parallel bookings of one slot, one link confirmed in
parallel, the exclusion constraint on PostgreSQL and the guarded insert on SQLite."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.scheduling import Slot
from questionnaire.services import booking_confirm, booking_mail
from questionnaire.services.booking_customer import open_booking
from questionnaire.services.context import Context
from questionnaire.store.bookings import Booking, BookingStatus
from questionnaire.store.db import Database
from questionnaire.store.models import utcnow

from .booking_support import CONTACT, NEW_YORK, book, emails, engagement, engineer, free, send_link
from .factories import Factory

PARALLEL = 20


def _at_once(url: str, count: int, work: Callable[[Session, int], object]) -> list[object]:
    """``work`` in ``count`` threads, each with a writer session of its own, started together."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(index: int) -> None:
        database = Database(url)
        with database.writer() as session:
            barrier.wait()
            try:
                outcomes[index] = work(session, index)
            except Exception as exc:  # what each one was told
                outcomes[index] = exc
        database.dispose()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _confirm(context: Context, tokens: list[str], slot: Slot) -> Callable[[Session, int], object]:
    def work(session: Session, index: int) -> object:
        form = booking_confirm.ConfirmForm(slot.key, *CONTACT)
        return booking_confirm.confirm(session, context, tokens[index], form, NEW_YORK)

    return work


def test_twenty_links_booking_one_slot_in_parallel_give_exactly_one_booking(
    make: Factory, db: Session, services: Context, postgres_only: str
) -> None:
    engineer(db)
    tokens = [
        send_link(db, services, engagement(make, db, f"Customer {n}").id) for n in range(PARALLEL)
    ]
    slot = free(db, services, tokens[0]).slots.slots[0]
    outcomes = _at_once(postgres_only, PARALLEL, _confirm(services, tokens, slot))
    booked = [o for o in outcomes if isinstance(o, Booking)]
    assert len(booked) == 1, outcomes
    assert all(isinstance(o, booking_confirm.SlotTaken) for o in outcomes if o not in booked)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Booking)) == 1
    assert len(emails(db, booking_mail.CUSTOMER_TEMPLATE)) == 1  # one booking's emails only
    used = [open_booking(db, services, t).link.used_at is not None for t in tokens]
    assert used.count(True) == 1  # the others' links still work


def test_one_link_confirmed_twice_in_parallel_books_once(
    make: Factory, db: Session, services: Context, postgres_only: str
) -> None:
    engineer(db)
    token = send_link(db, services, engagement(make, db).id)
    slots = free(db, services, token).slots.slots
    tokens = [token, token]

    def work(session: Session, index: int) -> object:
        form = booking_confirm.ConfirmForm(slots[index * 3].key, *CONTACT)
        return booking_confirm.confirm(session, services, tokens[index], form, NEW_YORK)

    outcomes = _at_once(postgres_only, 2, work)
    assert sum(isinstance(o, Booking) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, booking_confirm.AlreadyUsed) for o in outcomes) == 1, outcomes
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Booking)) == 1


def _copy(booking: Booking, link_id: int, shift: timedelta, **changes: object) -> Booking:
    values = {
        column.key: getattr(booking, column.key)
        for column in Booking.__table__.columns
        if column.key != "id"
    }
    values.update(link_id=link_id, uid=f"copy-{link_id}", starts_at=booking.starts_at + shift,
                  ends_at=booking.ends_at + shift, **changes)  # fmt: skip
    return Booking(**values)


def test_on_postgresql_the_exclusion_constraint_refuses_overlapping_confirmed_bookings(
    make: Factory, db: Session, services: Context, postgres_only: str
) -> None:
    sam, other = engineer(db), engineer(db, "kim@example.com", "Kim Engineer")
    first = send_link(db, services, engagement(make, db, "Acme Health").id)
    booking = book(db, services, first)
    spare = [open_booking(db, services, send_link(db, services, engagement(make, db, f"C{n}").id))
             for n in range(3)]  # fmt: skip
    db.add(_copy(booking, spare[0].link.id, timedelta(minutes=30)))
    with pytest.raises(IntegrityError, match="ex_bookings_engineer_no_overlap"):
        db.commit()
    db.rollback()
    # Touching is not overlapping; a cancelled booking and another engineer's do not count.
    db.add(_copy(booking, spare[0].link.id, timedelta(hours=1)))
    db.add(_copy(booking, spare[1].link.id, timedelta(0), status=BookingStatus.CANCELLED))
    db.add(_copy(booking, spare[2].link.id, timedelta(0), engineer_id=other.id))
    db.commit()
    assert sam.id != other.id


def test_one_link_cannot_hold_two_bookings(make: Factory, db: Session, services: Context) -> None:
    engineer(db)
    token = send_link(db, services, engagement(make, db).id)
    booking = book(db, services, token)
    db.add(_copy(booking, booking.link_id, timedelta(days=2)))
    with pytest.raises(IntegrityError):
        db.commit()


def test_the_guarded_insert_makes_no_booking_over_a_confirmed_one(
    make: Factory, db: Session, services: Context
) -> None:
    """What keeps the rule on SQLite (and backs the constraint on PostgreSQL): the insert
    itself checks, in the writer's transaction, whatever the slot list said."""
    engineer(db)
    first = send_link(db, services, engagement(make, db, "Acme Health").id)
    second = send_link(db, services, engagement(make, db, "Beta Imaging").id)
    slot = free(db, services, second).slots.slots[0]
    book(db, services, first, slot)
    overlapping = Slot(slot.start + timedelta(minutes=15), slot.end + timedelta(minutes=15))
    opened = open_booking(db, services, second)
    made = booking_confirm.insert_if_free(
        db, services, opened, overlapping, *CONTACT, NEW_YORK, utcnow()
    )
    assert not made
    db.rollback()
    beside = Slot(slot.end, slot.end + timedelta(hours=1))
    assert booking_confirm.insert_if_free(
        db, services, opened, beside, *CONTACT, NEW_YORK, utcnow()
    )
    db.rollback()
