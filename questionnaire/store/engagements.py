"""A customer's engagement, with its stage on the board, its one-time links and its history.

Split from ``models`` to keep it short (``models`` still exports these names). The engagement's
questionnaire responses are in ``responses``, the engineer assigned to it in ``accounts``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true

from .accounts import User
from .base import Base, utcnow

if TYPE_CHECKING:
    from .responses import Response


class PipelineStage(enum.StrEnum):
    """The seed's board, in order."""

    PIPELINE = "pipeline"
    DISCOVERY = "discovery"
    STATEMENT_OF_WORK = "sow"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class Engagement(Base):
    """A customer's professional services engagement, with the commercial facts when known.

    The ``response_status`` ... ``last_activity_at`` columns copy what the engineers' list shows
    from the responses, links, SoW revisions and history, so that the list reads one table: the
    use cases that change those keep them up to date (``services/engagements.py``).
    """

    __tablename__ = "engagements"
    __table_args__ = (
        Index("ix_engagements_listing", "created_at", "id"),
        Index("ix_engagements_status_listing", "response_status", "created_at", "id"),
        Index("ix_engagements_board", "pipeline_stage", "stage_since"),
        # A trigram index on PostgreSQL, so a search for any part of a name reads only the rows
        # it finds; elsewhere a plain index (SQLite ignores the options), unused by LIKE.
        Index(
            "ix_engagements_search",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer: Mapped[str] = mapped_column(String(200))
    project: Mapped[str | None] = mapped_column(String(200))
    #: PS days sold, sale/invoice/contract date, purchase order, quote number, services lead.
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    #: What the list's search looks in: customer and project, lowercased (``search_text_of``).
    search_text: Mapped[str] = mapped_column(String(401), default="", server_default="")
    #: ``None`` before the customer starts, then ``draft``, then ``submitted`` (any response).
    response_status: Mapped[str | None] = mapped_column(String(20))
    #: When a SoW revision was last marked as sent.
    sow_sent_at: Mapped[datetime | None]
    #: The latest link's expiry and revocation (only the latest link can be open).
    link_expires_at: Mapped[datetime | None]
    link_revoked_at: Mapped[datetime | None]
    #: The time of the engagement's latest history event.
    last_activity_at: Mapped[datetime | None]
    #: Where the engagement stands in the seed's process (the board's column), since when, and
    #: the engineer assigned to it (assigning one moves Pipeline to Discovery).
    pipeline_stage: Mapped[str] = mapped_column(
        String(20), default="pipeline", server_default="pipeline"
    )
    stage_since: Mapped[datetime] = mapped_column(default=utcnow)
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The customer's contact, from the sales handover.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    #: Whether a reminder goes before the questionnaire link expires (while not submitted).
    questionnaire_reminders: Mapped[bool] = mapped_column(default=True, server_default=true())

    engineer: Mapped[User | None] = relationship()
    links: Mapped[list[Link]] = relationship(back_populates="engagement", order_by="Link.id")
    responses: Mapped[list[Response]] = relationship(
        back_populates="engagement", order_by="Response.id"
    )


class Link(Base):
    """A one-time link: only the SHA-256 of its token is stored."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    definition_id: Mapped[str] = mapped_column(String(63))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    engagement: Mapped[Engagement] = relationship(back_populates="links")


class AuditEvent(Base):
    """Who did what, and when."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_engagement_at", "engagement_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL")
    )
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
