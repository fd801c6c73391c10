"""Engagements for the engineers' list: search, filter by stage, paginate, last activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    Link,
    Response,
    ResponseStatus,
    SowDraft,
    SowRevision,
    utcnow,
)

PAGE_SIZE = 25

STAGES = {
    "invited": "Invited",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "sow_sent": "SoW sent",
    "no_link": "No open link",
}


def _stage_filter(stage: str, now: datetime) -> Any:
    response = exists().where(Response.engagement_id == Engagement.id)
    submitted = exists().where(
        Response.engagement_id == Engagement.id, Response.status == ResponseStatus.SUBMITTED
    )
    open_link = exists().where(
        Link.engagement_id == Engagement.id, Link.revoked_at.is_(None), Link.expires_at > now
    )
    sent = exists().where(
        SowDraft.engagement_id == Engagement.id,
        SowRevision.draft_id == SowDraft.id,
        SowRevision.sent_at.is_not(None),
    )
    return {
        "invited": and_(~response, open_link),
        "in_progress": and_(response, ~submitted),
        "submitted": and_(submitted, ~sent),
        "sow_sent": sent,
        "no_link": and_(~open_link, ~submitted),
    }[stage]


@dataclass(frozen=True)
class Row:
    engagement: Engagement
    stage: str
    link_state: str
    last_activity: datetime | None


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row]
    number: int
    pages: int
    total: int


def query(search: str = "", stage: str = "") -> Select[Engagement]:
    statement = select(Engagement)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Engagement.customer).like(pattern),
                func.lower(Engagement.project).like(pattern),
            )
        )
    if stage in STAGES:
        statement = statement.where(_stage_filter(stage, utcnow()))
    return statement


def page(db: Session, search: str = "", stage: str = "", number: int = 1) -> Page:
    statement = query(search, stage)
    total = db.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    engagements = db.scalars(
        statement.options(selectinload(Engagement.links), selectinload(Engagement.responses))
        .order_by(Engagement.created_at.desc(), Engagement.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    activity = dict(
        db.execute(
            select(AuditEvent.engagement_id, func.max(AuditEvent.at))
            .where(AuditEvent.engagement_id.in_([e.id for e in engagements]))
            .group_by(AuditEvent.engagement_id)
        ).all()
    )
    sent = set(
        db.scalars(
            select(SowDraft.engagement_id)
            .join(SowRevision, SowRevision.draft_id == SowDraft.id)
            .where(
                SowRevision.sent_at.is_not(None),
                SowDraft.engagement_id.in_([e.id for e in engagements]),
            )
        ).all()
    )
    rows = [
        Row(e, stage_of(e, e.id in sent), link_state(e), activity.get(e.id)) for e in engagements
    ]
    return Page(rows, number, pages, total)


def link_state(engagement: Engagement) -> str:
    if not engagement.links:
        return "none"
    link = engagement.links[-1]
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= utcnow() else "active"


def stage_of(engagement: Engagement, sow_sent: bool) -> str:
    if sow_sent:
        return "sow_sent"
    statuses = {r.status for r in engagement.responses}
    if ResponseStatus.SUBMITTED in statuses:
        return "submitted"
    if statuses:
        return "in_progress"
    return "invited" if link_state(engagement) == "active" else "no_link"
