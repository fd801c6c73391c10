"""A customer's questionnaire responses, the definition versions they are pinned to, uploads.

Split from ``models`` to keep it short (``models`` still exports these names).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, stored_by_value, utcnow
from .engagements import Engagement


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class DefinitionVersion(Base):
    """The exact text of a definition version a response started on, keyed by its hash."""

    __tablename__ = "definition_versions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition_id: Mapped[str] = mapped_column(String(63))
    version: Mapped[str] = mapped_column(String(40))
    source_name: Mapped[str] = mapped_column(String(500))
    source_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Response(Base):
    """A customer's answers to one questionnaire, pinned to the definition version it started on."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("engagement_id", "definition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    definition_id: Mapped[str] = mapped_column(String(63))
    definition_sha256: Mapped[str] = mapped_column(ForeignKey("definition_versions.sha256"))
    status: Mapped[ResponseStatus] = mapped_column(
        stored_by_value(ResponseStatus),
        default=ResponseStatus.DRAFT,
    )
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Optimistic locking: every save must name the version it read.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    engagement: Mapped[Engagement] = relationship(back_populates="responses")
    definition: Mapped[DefinitionVersion] = relationship()
    uploads: Mapped[list[Upload]] = relationship(
        back_populates="response", order_by="Upload.created_at"
    )


class Upload(Base):
    """An uploaded file: metadata here, content under a generated name in the upload folder."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; also the storage name
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[Response] = relationship(back_populates="uploads")
