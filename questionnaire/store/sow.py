"""The documents a customer reviews (a Statement of Work, a Customer PS Acceptance Document),
their numbered revisions, the changes asked for, and each revision's rendered exports.

Split from ``models`` to keep it short (``models`` still exports these names); the review links
and acceptances of a sent revision are in ``reviews``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from .base import Base, JSONType, Rendered, utcnow


class SowDraft(Base):
    """A document the customer reviews and accepts online, with its numbered revisions.

    ``kind`` says which (``services.document_kinds``): the Statement of Work of an engagement's
    response, pre-filled then revised by engineers (the table keeps its first name), or the
    Customer PS Acceptance Document, generated at the end of delivery (no response of its own).
    """

    __tablename__ = "sow_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="sow", server_default="sow")
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True
    )
    #: The pre-fill's structure: templates, fields with provenance, checklist, proposals, dropped.
    prefill: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    revisions: Mapped[list[SowRevision]] = relationship(
        back_populates="draft", order_by="SowRevision.number"
    )
    requests: Mapped[list[RevisionRequest]] = relationship(
        back_populates="draft", order_by="RevisionRequest.id"
    )


class SowRevision(Base):
    """One saved version of the SoW's Markdown; a revision may be marked as sent to the customer."""

    __tablename__ = "sow_revisions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("sow_drafts.id", ondelete="CASCADE"))
    number: Mapped[int]
    markdown: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    draft: Mapped[SowDraft] = relationship(back_populates="revisions")


class RevisionRequest(Base):
    """The customer asked for changes to a sent revision."""

    __tablename__ = "sow_revision_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("sow_drafts.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("sow_revisions.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Made by the customer on the review page (else noted by an engineer).
    from_customer: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Comments on particular sections: ``[{"section": heading, "comment": text}]``.
    sections: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType)

    draft: Mapped[SowDraft] = relationship(back_populates="requests")


class Export(Rendered, Base):
    """A revision's document in one format, rendered once by the worker and served from storage."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("revision_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("sow_revisions.id", ondelete="CASCADE"))

    revision: Mapped[SowRevision] = relationship()
