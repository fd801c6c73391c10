"""Typed SQLAlchemy 2 models. The schema itself is made only by the Alembic revisions.

This module is where the models are imported from; they are defined beside it, one module per
aggregate, as ``bookings``, ``delivery``, ``files`` and ``reviews`` hold other tables: the base,
column types and rendered-document mixin in ``base``, people in ``accounts``, the engagement with
its links and history in ``engagements``, questionnaire responses in ``responses``, the reviewed
documents in ``sow`` and the worker's jobs and email in ``outbox``. Importing this module imports
them all, so ``Base.metadata`` (what Alembic compares) holds their tables.
"""

from __future__ import annotations

from .accounts import Role, User, UserRole
from .base import (
    MAX_INT,
    Base,
    ExportStatus,
    JSONType,
    Rendered,
    UTCDateTime,
    stored_by_value,
    utcnow,
)
from .engagements import AuditEvent, Engagement, Link, PipelineStage
from .outbox import EmailStatus, Job, JobStatus, OutgoingEmail
from .responses import DefinitionVersion, Response, ResponseStatus, Upload
from .sow import Export, RevisionRequest, SowDraft, SowRevision

__all__ = [
    "MAX_INT",
    "AuditEvent",
    "Base",
    "DefinitionVersion",
    "EmailStatus",
    "Engagement",
    "Export",
    "ExportStatus",
    "JSONType",
    "Job",
    "JobStatus",
    "Link",
    "OutgoingEmail",
    "PipelineStage",
    "Rendered",
    "Response",
    "ResponseStatus",
    "RevisionRequest",
    "Role",
    "SowDraft",
    "SowRevision",
    "UTCDateTime",
    "Upload",
    "User",
    "UserRole",
    "stored_by_value",
    "utcnow",
]
