"""One-time links: 256-bit tokens from ``secrets``, of which only a SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, Link, utcnow

from . import audit

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


def create_engagement(
    db: Session, customer: str, actor: str, project: str | None = None
) -> Engagement:
    engagement = Engagement(customer=customer, project=project, facts={}, created_by=actor)
    db.add(engagement)
    db.flush()
    audit.record(db, actor, "engagement.create", engagement_id=engagement.id, customer=customer)
    return engagement


def issue_link(
    db: Session, engagement: Engagement, definition_id: str, expires_in: timedelta, actor: str
) -> tuple[Link, str]:
    """A new link for ``engagement``; any link still open for it ends now (a re-issue)."""
    now = utcnow()
    for old in engagement.links:
        if old.revoked_at is None and old.expires_at > now:
            old.revoked_at = now
            audit.record(
                db,
                actor,
                "link.revoke",
                engagement_id=engagement.id,
                link_id=old.id,
                reason="reissued",
            )
    token = new_token()
    link = Link(
        engagement=engagement,
        definition_id=definition_id,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=now + expires_in,
    )
    db.add(link)
    db.flush()
    audit.record(
        db,
        actor,
        "link.issue",
        engagement_id=engagement.id,
        link_id=link.id,
        expires_at=_iso(link.expires_at),
    )
    return link, token


def revoke(db: Session, link: Link, actor: str) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit.record(db, actor, "link.revoke", engagement_id=link.engagement_id, link_id=link.id)


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
    link, token = issue_link(db, engagement, definition_id, expires_in, actor)
    db.commit()
    return Invitation(engagement, link, token)


def link_url(base_url: str, token: str) -> str:
    """Links are built from the configured base URL, never from a request's Host header."""
    return f"{base_url.rstrip('/')}/r/{token}/"


def _iso(moment: datetime) -> str:
    return moment.isoformat()
