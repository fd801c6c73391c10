"""Delivery after the SoW is accepted: the Project Detail Record (PDR) and implementation sessions.

Kept beside ``models`` (whose ``Base`` they share), as ``reviews`` and ``bookings`` are; the
package imports this module, so the metadata Alembic compares holds these tables.

The PDR is the configuration to build, as structured JSON (its shape is
``questionnaire.delivery.pdr``), one row per engagement with numbered revisions: a revision is
never changed, so any two can be compared and each is exported as it was. Two saves from the same
revision cannot both land: ``(pdr_id, number)`` is unique.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Engagement, Rendered, utcnow


class Pdr(Base):
    """An engagement's Project Detail Record: made once, from the accepted SoW."""

    __tablename__ = "pdrs"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), unique=True
    )
    #: The SoW it was made from (kept if that draft is ever removed).
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("sow_drafts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254))

    engagement: Mapped[Engagement] = relationship()
    revisions: Mapped[list[PdrRevision]] = relationship(
        back_populates="pdr", order_by="PdrRevision.number"
    )


class PdrRevision(Base):
    """One saved version of the PDR's structure, with who saved it, when and why."""

    __tablename__ = "pdr_revisions"
    __table_args__ = (UniqueConstraint("pdr_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pdr_id: Mapped[int] = mapped_column(ForeignKey("pdrs.id", ondelete="CASCADE"))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    author: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pdr: Mapped[Pdr] = relationship(back_populates="revisions")


class PdrExport(Rendered, Base):
    """A PDR revision's document in one format, rendered once by the worker (as SoW exports)."""

    __tablename__ = "pdr_exports"
    __table_args__ = (UniqueConstraint("revision_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("pdr_revisions.id", ondelete="CASCADE"))

    revision: Mapped[PdrRevision] = relationship()


class ImplementationSession(Base):
    """An implementation session: when, who, the booking it came from (if booked through a
    link), what was done, the PDR revisions before and after it, and the seed's "Complete?"."""

    __tablename__ = "implementation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The engineer's name as it was, so the record reads the same after an account goes.
    engineer_name: Mapped[str] = mapped_column(String(200))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text)
    #: The PDR's latest revision when the session started and when it was recorded.
    revision_before: Mapped[int | None]
    revision_after: Mapped[int | None]
    complete: Mapped[bool]
    #: Days of PS time the session used, in half days (none on sessions recorded before).
    days_used: Mapped[float | None]
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
