"""The customer's side of a document sent for acceptance (a Statement of Work, a Customer PS
Acceptance Document: ``SowDraft.kind``): review links to a sent revision, and acceptances.

The tables keep the names they had when the SoW was the only such document. Kept beside
``models`` (whose ``Base`` they share) so that module stays about the engagement, its
questionnaire and its drafts. The package imports this module, so the metadata Alembic
compares always holds these tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, SowRevision, utcnow


class ReviewLink(Base):
    """A customer's link to one sent revision: only the SHA-256 of its token is stored."""

    __tablename__ = "sow_review_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("sow_revisions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    revision: Mapped[SowRevision] = relationship()


class Acceptance(Base):
    """The customer accepted a revision: who, when, from where, and the hash of what they saw.

    One per document (the unique draft): of parallel acceptances, one commits and the others
    fail on it, so one set of emails goes out.
    """

    __tablename__ = "sow_acceptances"
    __table_args__ = (UniqueConstraint("draft_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("sow_drafts.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("sow_revisions.id", ondelete="CASCADE"))
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    review_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("sow_review_links.id", ondelete="SET NULL")
    )
    full_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    #: The tick: they may accept for their organisation.
    authorised: Mapped[bool]
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(500))
    #: SHA-256 (hex) of the exact document accepted, and that document's file name.
    document_sha256: Mapped[str] = mapped_column(String(64))
    document_name: Mapped[str] = mapped_column(String(255))
    #: The acceptance record (PDF) in the export folder, once the worker has made it.
    record_stored_name: Mapped[str | None] = mapped_column(String(100))

    revision: Mapped[SowRevision] = relationship()


#: The names from when the SoW was the only document accepted online (code written before).
SowReviewLink = ReviewLink
SowAcceptance = Acceptance
