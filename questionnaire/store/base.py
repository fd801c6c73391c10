"""The declarative base every table shares, and the column types and mixins the tables use.

Split from ``models`` to keep it short; every module of tables (``models``' own and those beside
it) derives from this ``Base``, so its metadata, which Alembic compares, holds them all once the
package is imported. The schema itself is made only by the Alembic revisions.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Enum, String, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")
#: The largest value an ``Integer`` column holds (PostgreSQL's int4): a larger id names no row,
#: and PostgreSQL refuses to compare it with one (an error, not "no such row").
MAX_INT = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as UTC; SQLite forgets the zone, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def stored_by_value(enum_class: type[enum.Enum]) -> Enum:
    """A column type storing an enum's values (``"draft"``) as text, not a database enum type:
    new members need no ALTER TYPE, and SQLite and PostgreSQL store them alike."""
    return Enum(
        enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"


class Rendered:
    """The columns of every document the worker renders once and serves from storage (a SoW
    revision's, a PDR revision's, a handover document's, the support handover's): its format,
    where it stands, the file's name in the export folder once rendered, and why it failed."""

    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[ExportStatus] = mapped_column(
        stored_by_value(ExportStatus), default=ExportStatus.QUEUED
    )
    stored_name: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
