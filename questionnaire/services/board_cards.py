"""The board's cards: one query for every card, and the pure functions that word them.

Each card says what the engagement waits for ("questionnaire sent 6 days ago, not started"),
worked out from the columns the engagement copies (``services/engagements.py``) and the time
its latest link was made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.delivery import ImplementationSession
from questionnaire.store.models import (
    Engagement,
    Link,
    PipelineStage,
    ResponseStatus,
    RevisionRequest,
    SowDraft,
    SowRevision,
    User,
)

from .booking_panel import upcoming
from .document_kinds import PS_ACCEPTANCE, SOW
from .engagements import link_state

S = PipelineStage
ORDER: tuple[PipelineStage, ...] = tuple(PipelineStage)
LABELS = {
    S.PIPELINE: "Pipeline", S.DISCOVERY: "Discovery", S.STATEMENT_OF_WORK: "Statement of Work",
    S.PLANNED: "Planned", S.IN_PROGRESS: "In progress", S.COMPLETE: "Complete",
}  # fmt: skip


@dataclass(frozen=True)
class BoardFilter:
    """Whose cards: everyone's (``None``) or one engineer's (``mine`` when it is the viewer)."""

    engineer_id: int | None = None
    mine: bool = False


@dataclass(frozen=True)
class Card:
    id: int
    stage: str
    customer: str
    project: str | None
    engineer: str | None
    days_sold: str | None
    in_stage: str
    next_action: str
    #: The next meeting booked with the customer: "discovery call Tue 14:00 your time".
    booked: str | None = None


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    cards: list[Card]


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    chosen: BoardFilter
    engineers: list[User]


def days_ago(then: datetime, now: datetime) -> str:
    days = max((now - then) // timedelta(days=1), 0)
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def time_in_stage(since: datetime, now: datetime) -> str:
    days = max((now - since) // timedelta(days=1), 0)
    return "less than a day" if days == 0 else "1 day" if days == 1 else f"{days} days"


def next_action(
    stage: str,
    *,
    now: datetime,
    engineer: str | None = None,
    link_sent_at: datetime | None = None,
    link_expires_at: datetime | None = None,
    link_revoked_at: datetime | None = None,
    response_status: str | None = None,
    sow_sent_at: datetime | None = None,
    sow_sent_revision: int | None = None,
    sow_changes_asked: bool = False,
    implementation_complete: bool = False,
    acceptance_sent_at: datetime | None = None,
) -> str:
    """What the card waits for, in a few words."""
    if stage == S.PIPELINE or engineer is None:
        return "waiting for an engineer"
    if stage == S.DISCOVERY:
        return _questionnaire(now, link_sent_at, link_expires_at, link_revoked_at, response_status)
    if stage == S.STATEMENT_OF_WORK:
        if sow_sent_at is not None:
            return _sow_sent(now, sow_sent_at, sow_sent_revision, sow_changes_asked)
        return "SoW to finish and send"
    if stage == S.IN_PROGRESS and acceptance_sent_at is not None:
        sent = days_ago(acceptance_sent_at, now)
        return f"Validation: acceptance document sent {sent}, awaiting the customer"
    if stage == S.IN_PROGRESS and implementation_complete:
        # "Complete? yes" was answered: the customer validates before accepting.
        return "Validation: with the customer"
    return {
        S.PLANNED: "implementation to arrange",
        S.IN_PROGRESS: "implementation under way",
        S.COMPLETE: "Complete: accepted by the customer, handed over to support",
    }.get(PipelineStage(stage), "")


def _sow_sent(now: datetime, sent_at: datetime, revision: int | None, changes_asked: bool) -> str:
    named = f"SoW revision {revision}" if revision is not None else "SoW"
    if changes_asked:
        return f"the customer asked for changes to {named}: revise and send again"
    return f"{named} sent {days_ago(sent_at, now)}, awaiting the customer"


def _questionnaire(
    now: datetime,
    sent_at: datetime | None,
    expires_at: datetime | None,
    revoked_at: datetime | None,
    status: str | None,
) -> str:
    if status == ResponseStatus.SUBMITTED:
        return "questionnaire submitted: move to Statement of Work"
    state = link_state(expires_at, revoked_at, now)
    if sent_at is None or state == "none":
        return "questionnaire to send"
    if state != "active":
        return f"questionnaire link {state}, not submitted: send a new link"
    started = "in progress" if status == ResponseStatus.DRAFT else "not started"
    return f"questionnaire sent {days_ago(sent_at, now)}, {started}"


def read_cards(
    db: Session, chosen: BoardFilter, now: datetime, zone: ZoneInfo | None = None
) -> list[Card]:
    """Every card (of the chosen engineer), with its next booked meeting on ``zone``'s clock
    (the viewer's)."""
    latest_link = (
        select(func.max(Link.created_at))
        .where(Link.engagement_id == Engagement.id)
        .correlate(Engagement)
        .scalar_subquery()
    )
    columns = (latest_link, _latest_sent_revision(), _changes_asked(),
               _implementation_complete(), _acceptance_sent_at())  # fmt: skip
    statement = (
        select(Engagement, User.name, *columns)
        .outerjoin(User, User.id == Engagement.engineer_id)
        .order_by(Engagement.stage_since, Engagement.id)
    )
    if chosen.engineer_id is not None:
        statement = statement.where(Engagement.engineer_id == chosen.engineer_id)
    cards = [_card(*row, now=now) for row in db.execute(statement).all()]
    booked = upcoming(db, [card.id for card in cards], now, zone or ZoneInfo("UTC"))
    return [replace(card, booked=booked.get(card.id)) for card in cards]


def _latest_sent_revision() -> Any:
    """The number of the engagement's latest sent SoW revision, per card."""
    return (
        select(func.max(SowRevision.number))
        .join(SowDraft, SowDraft.id == SowRevision.draft_id)
        .where(
            SowDraft.engagement_id == Engagement.id,
            SowDraft.kind == SOW.name,
            SowRevision.sent_at.is_not(None),
        )
        .correlate(Engagement)
        .scalar_subquery()
    )


def _implementation_complete() -> Any:
    """Whether a session was recorded with "Complete? yes", per card."""
    return (
        select(ImplementationSession.id)
        .where(ImplementationSession.engagement_id == Engagement.id,
               ImplementationSession.complete.is_(True))
        .correlate(Engagement)
        .exists()
    )  # fmt: skip


def _acceptance_sent_at() -> Any:
    """When the latest Customer PS Acceptance Document revision was sent, per card."""
    return (
        select(func.max(SowRevision.sent_at))
        .join(SowDraft, SowDraft.id == SowRevision.draft_id)
        .where(SowDraft.engagement_id == Engagement.id, SowDraft.kind == PS_ACCEPTANCE.name)
        .correlate(Engagement)
        .scalar_subquery()
    )


def _changes_asked() -> Any:
    """Whether the customer asked for changes since the latest revision was sent."""
    return (
        select(RevisionRequest.id)
        .join(SowDraft, SowDraft.id == RevisionRequest.draft_id)
        .where(
            SowDraft.engagement_id == Engagement.id,
            SowDraft.kind == SOW.name,
            RevisionRequest.at > Engagement.sow_sent_at,
        )
        .correlate(Engagement)
        .exists()
    )


def _card(
    engagement: Engagement,
    engineer: str | None,
    sent_at: datetime | None,
    sent_revision: int | None,
    changes_asked: bool,
    implementation_complete: bool = False,
    acceptance_sent_at: datetime | None = None,
    *,
    now: datetime,
) -> Card:
    days = engagement.facts.get("ps_days_sold")
    return Card(
        id=engagement.id, stage=engagement.pipeline_stage, customer=engagement.customer,
        project=engagement.project, engineer=engineer,
        days_sold=None if days is None else str(days),
        in_stage=time_in_stage(engagement.stage_since, now),
        next_action=next_action(
            engagement.pipeline_stage, now=now, engineer=engineer, link_sent_at=sent_at,
            link_expires_at=engagement.link_expires_at,
            link_revoked_at=engagement.link_revoked_at,
            response_status=engagement.response_status, sow_sent_at=engagement.sow_sent_at,
            sow_sent_revision=sent_revision, sow_changes_asked=bool(changes_asked),
            implementation_complete=bool(implementation_complete),
            acceptance_sent_at=acceptance_sent_at,
        ),
    )  # fmt: skip
