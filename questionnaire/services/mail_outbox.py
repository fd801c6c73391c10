"""The Outbox page's reading of the outbox: every email, newest first, with how its send goes.

While an email waits for a retry, its own row still says "queued": the attempt that failed
rolled back with its job. The job keeps the count and the reason, so each entry reads them
from the job of the email's current round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import MAX_INT, EmailStatus, Job, JobStatus, OutgoingEmail

from . import mail_sealed
from .sow_desk import NotFound

PAGE_SIZE = 50
SEND_JOB = "mail.send"  # as mail.SEND_JOB (that module imports this one)


@dataclass(frozen=True)
class OutboxEntry:
    email: OutgoingEmail
    attempts: int  # delivery attempts in the current round
    retry_error: str | None  # why the last attempt failed, while it waits to be retried
    next_try: datetime | None

    @property
    def state(self) -> str:
        """``queued``, ``retrying``, ``sent`` or ``failed``."""
        if self.email.status is EmailStatus.QUEUED and self.retry_error:
            return "retrying"
        return self.email.status.value

    @property
    def text_shown(self) -> str:
        """The plain text part for the Outbox page: a sealed link says it is hidden."""
        return mail_sealed.hidden(self.email.text_body)

    @property
    def html_shown(self) -> str:
        return mail_sealed.hidden(self.email.html_body)


@dataclass(frozen=True)
class OutboxPage:
    entries: list[OutboxEntry]
    page: int
    has_more: bool


def outbox(db: Session, page: int = 1) -> OutboxPage:
    page = max(1, min(page, MAX_INT // PAGE_SIZE))
    emails = list(
        db.scalars(
            select(OutgoingEmail)
            .order_by(OutgoingEmail.created_at.desc(), OutgoingEmail.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    shown = emails[:PAGE_SIZE]
    return OutboxPage(_entries(db, shown), page, len(emails) > PAGE_SIZE)


def entry(db: Session, email_id: int) -> OutboxEntry:
    found = db.get(OutgoingEmail, email_id) if 0 < email_id <= MAX_INT else None
    if found is None:
        raise NotFound("There is no such email.")
    return _entries(db, [found])[0]


def job_key(email: OutgoingEmail) -> str:
    return f"{SEND_JOB}:{email.id}:{email.send_round}"


def _entries(db: Session, emails: list[OutgoingEmail]) -> list[OutboxEntry]:
    keys = [job_key(email) for email in emails]
    jobs = {job.dedupe_key: job for job in db.scalars(select(Job).where(Job.dedupe_key.in_(keys)))}
    entries = []
    for email in emails:
        job = jobs.get(job_key(email))
        waiting = job is not None and job.status is JobStatus.QUEUED and job.attempts > 0
        entries.append(
            OutboxEntry(
                email,
                job.attempts if job is not None else 0,
                job.last_error if waiting and job is not None else None,
                job.run_after if waiting and job is not None else None,
            )
        )
    return entries
