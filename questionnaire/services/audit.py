"""The audit trail: who did what, and when. Added to the caller's transaction.

An engagement's latest event is its last activity, which the engineers' list shows: recording
an event also sets it on the engagement (in the same transaction).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import AuditEvent, utcnow

from . import engagements


def record(
    db: Session,
    actor: str,
    action: str,
    *,
    engagement_id: int | None = None,
    response_id: int | None = None,
    **detail: Any,
) -> None:
    at = utcnow()
    db.add(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            engagement_id=engagement_id,
            response_id=response_id,
            detail=detail,
        )
    )
    if engagement_id is not None:
        engagements.note_activity(db, engagement_id, at)


def recent(db: Session, engagement_id: int, limit: int = 50) -> list[AuditEvent]:
    """An engagement's latest events, newest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.engagement_id == engagement_id)
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    )
    return list(db.scalars(statement).all())
