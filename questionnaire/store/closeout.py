"""Close-out: the completed engagement's record and its webhook deliveries.

Kept beside ``models`` (whose ``Base`` they share). ``support_notes`` is the engineer's notes for
support, one row per engagement; ``engagement_completions`` says when the customer accepted the
acceptance document and who (unique per engagement: an engagement completes once);
``support_handover_exports`` the support handover document, rendered once per format by the
worker; ``outgoing_webhooks`` the completion record's deliveries, an outbox as outgoing email is.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Rendered, stored_by_value, utcnow


class SupportNotes(Base):
    """What support needs to know that no document says: written by the engineer."""

    __tablename__ = "support_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), unique=True
    )
    knowledge: Mapped[str] = mapped_column(Text, default="")
    network: Mapped[str] = mapped_column(Text, default="")
    connection: Mapped[str] = mapped_column(Text, default="")
    left_as: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(254))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EngagementCompletion(Base):
    """The engagement is complete: the customer accepted the acceptance document."""

    __tablename__ = "engagement_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), unique=True
    )
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_by: Mapped[str] = mapped_column(String(254))


class SupportHandoverExport(Rendered, Base):
    """The support handover document in one format, rendered once by the worker."""

    __tablename__ = "support_handover_exports"
    __table_args__ = (UniqueConstraint("engagement_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))


class WebhookStatus(enum.StrEnum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    FAILED = "failed"


class OutgoingWebhook(Base):
    """One delivery of a completion record to the configured webhook.

    ``delivery_id`` is made once, with the row: a retry, or a worker killed after the receiver
    answered, sends the same id again, so the receiver can drop a copy (at least once)."""

    __tablename__ = "outgoing_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(64), unique=True)
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(String(60))
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[WebhookStatus] = mapped_column(
        stored_by_value(WebhookStatus), default=WebhookStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    response_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
