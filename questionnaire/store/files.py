"""Files attached to an engagement by its customer and engineers, kept for a set time after
completion, and the holds that keep an engagement's files past that time.

Kept beside ``models`` (whose ``Base`` they share). The content of a file lives in the upload
folder under its random id, as a questionnaire upload's does (``services/uploads.py``); the
name the customer gave it is data for display only.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class FileSource(enum.StrEnum):
    """Who the file came from: the customer sent it to us, or we made it."""

    CUSTOMER = "customer"
    ENGINEER = "engineer"


class EngagementFile(Base):
    """A file an engineer attached to an engagement (a support download, a log, a diagram)."""

    __tablename__ = "engagement_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; also the storage name
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: A :class:`FileSource` value.
    source: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EngagementHold(Base):
    """An engagement whose files are not deleted, whatever their date (a dispute, an audit).

    One row per engagement on hold; releasing the hold deletes the row."""

    __tablename__ = "engagement_holds"

    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True
    )
    held_by: Mapped[str] = mapped_column(String(254))
    held_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
