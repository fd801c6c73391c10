"""Sending a booking link from an engagement, and revoking one (the engineer's use cases).

:func:`send_booking_link` does it in one transaction, under the engagement's lock: the open
links of that kind for the engagement end (a re-issue), a new link is made for the sending
engineer's calendar (256 bits from ``secrets``; only its SHA-256 is stored), the contact as
corrected on the form is kept on the engagement, and the email goes to the contact saying what
the meeting is for and how long it takes, with the link sealed (``mail_sealed``: no readable
copy of it is stored anywhere, not even in the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import SimpleTypedQuestion, TextQuestion
from questionnaire.scheduling import MeetingKind
from questionnaire.store.bookings import BookingLink
from questionnaire.store.models import MAX_INT, Engagement, User, utcnow

from . import audit, links, mail
from .booking_calendar import availability_of
from .booking_words import PURPOSES, TITLES, duration, kind_of
from .context import Context
from .invitation_values import moment_in_words
from .invitations import LAST_MOMENT, link_days
from .sow_desk import NotFound

LINK_TEMPLATE = "booking_link"
SENT_ACTION, REVOKED_ACTION = "booking.link_sent", "booking.link_revoked"
_EMAIL = SimpleTypedQuestion(id="contact_email", label="email", type="email")
_NAME = TextQuestion(id="contact_name", label="name", type="text", max_length=200)


def booking_url(base_url: str, token: str) -> str:
    """Built from the configured base URL, never a request's Host header."""
    return f"{base_url.rstrip('/')}/b/{token}/"


@dataclass(frozen=True)
class SendForm:
    """The "Send a booking link" form as posted (every value as typed)."""

    kind: str = ""
    expires_days: str = ""
    contact_name: str = ""
    contact_email: str = ""


class InvalidSend(ValueError):
    """The form has errors: ``errors`` maps each field to its message, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    kind: MeetingKind
    days: int
    contact_name: str | None
    contact_email: str


def check(form: SendForm) -> Checked:
    errors: dict[str, str] = {}
    kind = kind_of(form.kind)
    if kind is None:
        errors["kind"] = "Select the kind of meeting to book"
    days = link_days(form.expires_days)
    if isinstance(days, Invalid):
        errors["expires_days"] = days.message
    name = parse_answer(_NAME, form.contact_name)
    if isinstance(name, Invalid):
        errors["contact_name"] = name.message
    address = parse_answer(_EMAIL, form.contact_email)
    if address is None:
        address = Invalid("Enter the email address to send the booking link to")
    if isinstance(address, Invalid):
        errors["contact_email"] = address.message
    if errors:
        raise InvalidSend(errors)
    assert kind is not None and isinstance(days, int) and isinstance(address, str)
    return Checked(kind, days, name if isinstance(name, str) else None, address)


@dataclass(frozen=True)
class SentLink:
    """What the confirmation says: which meeting, to whom, until when."""

    engagement_id: int
    kind: MeetingKind
    to: str
    expires_at: datetime
    email_id: int


def send_booking_link(
    db: Session, context: Context, engagement_id: int, form: SendForm, actor: str
) -> SentLink:
    """Issue the link for the acting engineer's calendar and queue its email; commits.

    Raises ``NotFound``, :class:`InvalidSend` (nothing written), or what ``mail.queue``
    raises, after rolling back: no link is made without its email.
    """
    checked = check(form)
    try:
        if not 0 < engagement_id <= MAX_INT:  # PostgreSQL refuses to compare a larger one
            raise links.NoSuchEngagement(engagement_id)
        engagement = links.lock_engagement(db, engagement_id)
    except links.NoSuchEngagement:
        raise NotFound("There is no such engagement.") from None
    engineer = db.scalar(select(User).where(User.email == actor))
    if engineer is None:
        raise NotFound("Your account is not an engineer's account.")
    try:
        sent = _send(db, context, engagement, engineer, checked, actor)
    except Exception:
        db.rollback()
        raise
    db.commit()
    return sent


def _send(
    db: Session, context: Context, engagement: Engagement, engineer: User, checked: Checked,
    actor: str,
) -> SentLink:  # fmt: skip
    now = utcnow()
    _end_open_links(db, engagement.id, checked.kind, now, actor)
    token = links.new_token()
    expires_at = datetime.combine(now.date() + timedelta(days=checked.days), LAST_MOMENT)
    link = BookingLink(
        engagement_id=engagement.id, engineer_id=engineer.id, kind=checked.kind.value,
        token_hash=links.token_hash(token), created_by=actor, expires_at=expires_at,
    )  # fmt: skip
    db.add(link)
    db.flush()
    _note_contact(db, engagement, checked, actor)
    rules = availability_of(db, context.settings.booking, engineer.id).rules(checked.kind)
    email = mail.queue(
        db, context, template=LINK_TEMPLATE, to=[(checked.contact_name or "", checked.contact_email)],
        actor=actor, engagement_id=engagement.id, reply_to=engineer.email,
        sealed={"link": booking_url(context.settings.base_url, token)},
        values={
            "contact_name": checked.contact_name, "organisation": engagement.customer,
            "project": engagement.project, "meeting": TITLES[checked.kind].lower(),
            "purpose": PURPOSES[checked.kind], "length": duration(rules.length),
            "expires": moment_in_words(expires_at), "engineer_name": engineer.name,
            "engineer_email": engineer.email,
        },
    )  # fmt: skip
    audit.record(
        db, actor, SENT_ACTION, engagement_id=engagement.id, link_id=link.id, kind=link.kind,
        email_id=email.id, to=checked.contact_email, expires_at=expires_at.isoformat(),
    )  # fmt: skip
    to = (
        f"{checked.contact_name} ({checked.contact_email})"
        if checked.contact_name
        else checked.contact_email
    )
    return SentLink(engagement.id, checked.kind, to, expires_at, email.id)


def _end_open_links(
    db: Session, engagement_id: int, kind: MeetingKind, now: datetime, actor: str
) -> None:
    """A new link ends the engagement's open, unused links of the same kind (read under the
    engagement's lock, so two sends cannot both leave theirs open)."""
    ended = db.scalars(
        update(BookingLink)
        .where(
            BookingLink.engagement_id == engagement_id, BookingLink.kind == kind.value,
            BookingLink.revoked_at.is_(None), BookingLink.used_at.is_(None),
            BookingLink.expires_at > now,
        )
        .values(revoked_at=now)
        .returning(BookingLink.id)
        .execution_options(synchronize_session=False)
    ).all()  # fmt: skip
    for link_id in ended:
        audit.record(db, actor, REVOKED_ACTION, engagement_id=engagement_id, link_id=link_id,
                     reason="reissued")  # fmt: skip


def _note_contact(db: Session, engagement: Engagement, checked: Checked, actor: str) -> None:
    """The contact as corrected on the form is the engagement's from now on."""
    before = (engagement.contact_name, engagement.contact_email)
    after = (checked.contact_name or engagement.contact_name, checked.contact_email)
    if after != before:
        engagement.contact_name, engagement.contact_email = after
        audit.record(db, actor, "engagement.contact", engagement_id=engagement.id,
                     contact_name=after[0], contact_email=after[1])  # fmt: skip


def revoke_booking_link(db: Session, engagement_id: int, link_id: int, actor: str) -> bool:
    """End an unused link; whether this call ended it (``False``: it was used, revoked or
    expired already). A guarded ``UPDATE``: a booking committing at the same moment wins or
    loses whole. Commits."""
    if not (0 < engagement_id <= MAX_INT and 0 < link_id <= MAX_INT):
        raise NotFound("There is no such booking link.")
    now = utcnow()
    result = db.execute(
        update(BookingLink)
        .where(
            BookingLink.id == link_id, BookingLink.engagement_id == engagement_id,
            BookingLink.revoked_at.is_(None), BookingLink.used_at.is_(None),
            BookingLink.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if cast(CursorResult[Any], result).rowcount != 1:
        db.rollback()
        exists = db.scalar(
            select(BookingLink.id).where(
                BookingLink.id == link_id, BookingLink.engagement_id == engagement_id
            )
        )
        if exists is None:
            raise NotFound("There is no such booking link.")
        return False
    audit.record(db, actor, REVOKED_ACTION, engagement_id=engagement_id, link_id=link_id)
    db.commit()
    return True
