"""One-time links: 256-bit tokens from ``secrets``, of which only a SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, Link, utcnow

from . import audit, engagements

#: What a token looks like: 43 characters of URL-safe base64 (256 bits).
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def valid_shape(token: str) -> bool:
    return TOKEN_SHAPE.match(token) is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class LinkState(Enum):
    ACTIVE = "active"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Invitation:
    engagement: Engagement
    link: Link
    token: str


class NoSuchEngagement(LookupError):
    pass


class NoSuchLink(LookupError):
    pass


def create_engagement(
    db: Session, customer: str, actor: str, project: str | None = None
) -> Engagement:
    engagement = Engagement(
        customer=customer, project=project, facts={}, created_by=actor,
        search_text=engagements.search_text_of(customer, project),
    )  # fmt: skip
    db.add(engagement)
    db.flush()
    audit.record(db, actor, "engagement.create", engagement_id=engagement.id, customer=customer)
    return engagement


def lock_engagement(db: Session, engagement_id: int) -> Engagement:
    """The engagement, its row locked until the transaction ends.

    Issuing and revoking links take this lock first, so they run one after the other for an
    engagement: each sees the links the one before committed, so no re-issue leaves an older
    link open and no link is revoked twice. (``FOR NO KEY UPDATE``: it does not hold up the
    customer's saves, whose rows only refer to the engagement. SQLite has no row locks: its
    one writer at a time gives the same order.)
    """
    found = db.execute(
        select(Engagement)
        .where(Engagement.id == engagement_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if found is None:
        raise NoSuchEngagement(engagement_id)
    return found


def issue_link(
    db: Session,
    engagement: Engagement | int,
    definition_id: str,
    expires_in: timedelta,
    actor: str,
) -> tuple[Link, str]:
    """A new link for the engagement (or the engagement of this id); any link still open for
    it ends now (a re-issue). Locks the engagement; the caller commits."""
    engagement_id = engagement if isinstance(engagement, int) else engagement.id
    lock_engagement(db, engagement_id)
    now = utcnow()
    ended = db.scalars(
        update(Link)
        .where(
            Link.engagement_id == engagement_id, Link.revoked_at.is_(None), Link.expires_at > now
        )
        .values(revoked_at=now)
        .returning(Link.id)
        .execution_options(synchronize_session="evaluate")
    ).all()
    for link_id in ended:
        audit.record(
            db,
            actor,
            "link.revoke",
            engagement_id=engagement_id,
            link_id=link_id,
            reason="reissued",
        )
    token = new_token()
    link = Link(
        engagement_id=engagement_id,
        definition_id=definition_id,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=now + expires_in,
    )
    db.add(link)
    db.flush()
    engagements.note_link(db, engagement_id, link.expires_at, None)
    audit.record(
        db, actor, "link.issue", engagement_id=engagement_id, link_id=link.id,
        expires_at=_iso(link.expires_at),
    )  # fmt: skip
    return link, token


def revoke_link(db: Session, engagement_id: int, link_id: int, actor: str) -> bool:
    """End the engagement's link ``link_id``; whether this call ended it (``False``: it had
    been revoked before). Locks the engagement; the caller commits."""
    lock_engagement(db, engagement_id)
    link = db.execute(
        select(Link.id, Link.expires_at, Link.revoked_at).where(
            Link.id == link_id, Link.engagement_id == engagement_id
        )
    ).first()
    if link is None:
        raise NoSuchLink(link_id)
    if link.revoked_at is not None:  # read under the lock: no other revoke is under way
        return False
    now = utcnow()
    db.execute(
        update(Link)
        .where(Link.id == link_id)
        .values(revoked_at=now)
        .execution_options(synchronize_session="evaluate")
    )
    latest = db.scalar(select(func.max(Link.id)).where(Link.engagement_id == engagement_id))
    if latest == link_id:
        engagements.note_link(db, engagement_id, link.expires_at, now)
    audit.record(db, actor, "link.revoke", engagement_id=engagement_id, link_id=link_id)
    return True


def invite(
    db: Session,
    customer: str,
    definition_id: str,
    expires_in: timedelta,
    actor: str,
    project: str | None = None,
) -> Invitation:
    """Create an engagement and its link in one transaction (committed here)."""
    engagement = create_engagement(db, customer, actor, project)
    link, token = issue_link(db, engagement.id, definition_id, expires_in, actor)
    db.commit()
    return Invitation(engagement, link, token)


def link_url(base_url: str, token: str) -> str:
    """Links are built from the configured base URL, never from a request's Host header."""
    return f"{base_url.rstrip('/')}/r/{token}/"


def _iso(moment: datetime) -> str:
    return moment.isoformat()
