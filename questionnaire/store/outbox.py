"""The background worker's queues: jobs, and the outgoing email they send.

Split from ``models`` to keep it short (``models`` still exports these names). Both are written in
the transaction of the change that needs them, so neither is lost nor made twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, JSONType, stored_by_value, utcnow


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
