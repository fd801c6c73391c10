"""The customer handover document's functional tests: one or more per agreed virtual service
and GSLB configuration, and the documents issued from them.

Kept beside ``models`` (whose ``Base`` they share). A test names its target by kind and name
(not by a PDR row: rows are renumbered and renamed between revisions, a test stays as it was
recorded). Its evidence is one of the engagement's files; when retention purges that file the
test keeps its result and loses only the link (``ON DELETE SET NULL``).

An issued document is never changed: its number, the PDR revision it was built from and its
Markdown stay as they were, and each format is rendered once from that Markdown. Two issues
cannot both get number N: ``(engagement_id, number)`` is unique.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .files import EngagementFile
from .models import Base, Engagement, Rendered, utcnow


class FunctionalTest(Base):
    """A functional test of a virtual service or a GSLB configuration, with its result."""

    __tablename__ = "functional_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    #: ``virtual_service`` or ``gslb`` (``delivery.handover_checklist``'s kinds).
    target_kind: Mapped[str] = mapped_column(String(20))
    target_name: Mapped[str] = mapped_column(String(200))
    what_tested: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)
    actual: Mapped[str] = mapped_column(Text)
    #: ``pass`` or ``fail``.
    outcome: Mapped[str] = mapped_column(String(10))
    tested_on: Mapped[date]
    evidence_file_id: Mapped[str | None] = mapped_column(
        ForeignKey("engagement_files.id", ondelete="SET NULL")
    )
    recorded_by: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    evidence: Mapped[EngagementFile | None] = relationship()


class HandoverDocument(Base):
    """An issued customer handover document: numbered per engagement, never changed."""

    __tablename__ = "handover_documents"
    __table_args__ = (UniqueConstraint("engagement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: The number of the PDR revision it was built from (revisions are never changed either).
    pdr_revision: Mapped[int]
    markdown: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(254))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement: Mapped[Engagement] = relationship()


class HandoverExport(Rendered, Base):
    """An issued document in one format, rendered once by the worker (as the PDR's exports)."""

    __tablename__ = "handover_exports"
    __table_args__ = (UniqueConstraint("document_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("handover_documents.id", ondelete="CASCADE")
    )

    document: Mapped[HandoverDocument] = relationship()
