"""Typed SQLAlchemy 2 models. The schema itself is made only by the Alembic revisions."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

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


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


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


class Role(enum.StrEnum):
    """What an account may do; one account may hold several."""

    SALES = "sales"  # hands engagements over
    LEAD = "lead"  # the services lead: assigns engineers
    ENGINEER = "engineer"  # delivers engagements
    ADMIN = "admin"  # manages accounts


class PipelineStage(enum.StrEnum):
    """The seed's board, in order."""

    PIPELINE = "pipeline"
    DISCOVERY = "discovery"
    STATEMENT_OF_WORK = "sow"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(Base):
    """A person of ours who signs in. ``session_nonce`` is part of the login cookie: changing it
    logs out everywhere (logout, deactivation)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    session_nonce: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)


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


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """Work for the background worker, queued in the transaction that made it necessary.

    A job queued with the change that needs it is never lost (it commits or rolls back with the
    change), and ``dedupe_key`` keeps a second request for the same work from queuing it twice.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_ready", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[JobStatus] = mapped_column(
        stored_by_value(JobStatus),
        default=JobStatus.QUEUED,
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    #: While running: when the claim lapses (a worker that died leaves its job to another).
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


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


class Export(Rendered, Base):
    """A revision's document in one format, rendered once by the worker and served from storage."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("revision_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("sow_revisions.id", ondelete="CASCADE"))

    revision: Mapped[SowRevision] = relationship()


class EmailStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutgoingEmail(Base):
    """An email in the outbox: written in the transaction of the change that causes it, sent by
    the worker (``services/mail.py``).

    The message is rendered when the row is made and kept as sent, with its Message-ID, so every
    delivery attempt sends the same bytes and a re-delivery is recognisably the same message.
    ``send_round`` counts the sends engineers asked for (the first, then each "send again"): it
    is part of the send job's dedupe key, so each round queues exactly one job.
    """

    __tablename__ = "outgoing_emails"
    __table_args__ = (Index("ix_outgoing_emails_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    template: Mapped[str] = mapped_column(String(63))
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL"), index=True
    )
    sender: Mapped[str] = mapped_column(String(500))
    #: ``[{"name": ..., "address": ...}]``, in the order given.
    recipients: Mapped[list[dict[str, str]]] = mapped_column(JSONType)
    reply_to: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: The secret values (links with tokens) the bodies hold stand-ins for, encrypted
    #: (``services/mail_sealed.py``); ``None`` when it carries none.
    sealed: Mapped[str | None] = mapped_column(Text)
    #: ``[{"store": "exports", "stored_name": ..., "filename": ..., "media_type": ...}]``.
    attachments: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    status: Mapped[EmailStatus] = mapped_column(
        stored_by_value(EmailStatus),
        default=EmailStatus.QUEUED,
    )
    send_round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    #: Where it went: the .eml file written, or the SMTP server that accepted it.
    delivery: Mapped[str | None] = mapped_column(String(500))
    #: Why it failed for good; or, once sent, the recipients the server refused.
    last_error: Mapped[str | None] = mapped_column(Text)
