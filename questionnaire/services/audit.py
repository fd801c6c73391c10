"""The audit trail: who did what, and when. Added to the caller's transaction."""

from __future__ import annotations

from typing import Any

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
