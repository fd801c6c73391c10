"""The audit trail: who did what, and when. Added to the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import AuditEvent


def record(
    db: Session,
    actor: str,
    action: str,
    *,
    engagement_id: int | None = None,
    response_id: int | None = None,
    **detail: Any,
) -> None:
    db.add(
        AuditEvent(
            actor=actor,
            action=action,
            engagement_id=engagement_id,
            response_id=response_id,
            detail=detail,
        )
    )


def recent(db: Session, engagement_id: int, limit: int = 50) -> list[AuditEvent]:
    """An engagement's latest events, newest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.engagement_id == engagement_id)
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    )
    return list(db.scalars(statement).all())
