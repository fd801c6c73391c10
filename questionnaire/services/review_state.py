"""Where a document sent for acceptance (a SoW, a Customer PS Acceptance Document) stands with
the customer: read only, for both sides' pages.

A review link's state follows from facts kept elsewhere, worked out by one pure function
(:func:`state_of`): a link to a revision older than the latest one sent is *superseded*
(whether the newer one went by email or was marked sent by hand); a link a newer send of the
same revision ended is *revoked*; then *expired*; then *accepted* once its revision is, else
*active*. Only an active link takes a change request or an acceptance.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.models import (
    EmailStatus,
    Job,
    JobStatus,
    OutgoingEmail,
    SowDraft,
    SowRevision,
    utcnow,
)
from questionnaire.store.reviews import Acceptance, ReviewLink

from .document_kinds import SOW, DocumentKind, kind_of

#: Every document's sends (the name is from when the SoW was the only one: queued jobs keep it).
SEND_JOB = "sow.send"
#: The seed: one revision after the customer's review; from the second request, another call.
ADVISE_CALL_FROM = 2


class ReviewState(enum.StrEnum):
    ACTIVE = "active"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def state_of(
    *,
    revision: int,
    latest_sent: int | None,
    revoked: bool,
    expired: bool,
    accepted_revision: int | None,
) -> ReviewState:
    """The state of a link to revision ``revision`` (pure: the facts are given)."""
    if latest_sent is not None and revision < latest_sent:
        return ReviewState.SUPERSEDED
    if revoked:
        return ReviewState.REVOKED
    if expired:
        return ReviewState.EXPIRED
    if accepted_revision == revision:
        return ReviewState.ACCEPTED
    return ReviewState.ACTIVE


def latest_sent(db: Session, draft_id: int) -> int | None:
    """The number of the draft's newest revision that has been sent (by email or by hand)."""
    return db.scalar(
        select(func.max(SowRevision.number)).where(
            SowRevision.draft_id == draft_id, SowRevision.sent_at.is_not(None)
        )
    )


def acceptance_of(db: Session, draft_id: int) -> Acceptance | None:
    return db.scalars(
        select(Acceptance)
        .where(Acceptance.draft_id == draft_id)
        .execution_options(populate_existing=True)
    ).first()


def link_state(db: Session, link: ReviewLink, now: datetime | None = None) -> ReviewState:
    revision = link.revision
    acceptance = acceptance_of(db, revision.draft_id)
    return state_of(
        revision=revision.number,
        latest_sent=latest_sent(db, revision.draft_id),
        revoked=link.revoked_at is not None,
        expired=link.expires_at <= (now or utcnow()),
        accepted_revision=acceptance.revision.number if acceptance else None,
    )


def sent_to(db: Session, engagement_id: int, kind: DocumentKind = SOW) -> tuple[str, str] | None:
    """(name, address) the latest email sending the ``kind`` of document went to: the holder of
    its open review link, since sends are made one at a time under the engagement's lock, each
    ending the links before."""
    email = db.scalars(
        select(OutgoingEmail)
        .where(
            OutgoingEmail.engagement_id == engagement_id,
            OutgoingEmail.template == kind.sent_template,
        )
        .order_by(OutgoingEmail.id.desc())
        .limit(1)
    ).first()
    if email is None or not email.recipients:
        return None
    first = email.recipients[0]
    return first["name"], first["address"]


# -- the engineer's view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SentLink:
    """One send by email: the link it made, and the email that carried it."""

    revision: int
    sent_at: datetime
    sent_by: str
    expires_at: datetime
    state: ReviewState
    email: SentEmail | None


@dataclass(frozen=True)
class SentEmail:
    id: int
    to: str
    status: EmailStatus
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class PendingSend:
    """A send whose email is not queued yet: waiting for the PDF, or failed (``failed`` says
    why)."""

    revision: int
    to: str
    failed: str | None


@dataclass(frozen=True)
class CustomerRequest:
    """Changes the customer asked for on the review page: a comment, and comments by section."""

    revision: int | None
    at: datetime
    comment: str
    sections: list[dict[str, str]]


@dataclass(frozen=True)
class ReviewStatus:
    sends: list[SentLink]
    pending: PendingSend | None
    acceptance: Acceptance | None
    customer_requests: list[CustomerRequest]
    #: Every change request, the customer's and those engineers noted: the seed's count.
    request_count: int

    @property
    def advise_call(self) -> bool:
        return self.request_count >= ADVISE_CALL_FROM


def status_of(db: Session, draft: SowDraft) -> ReviewStatus:
    """What the engineer's page of the document shows of the customer's side."""
    now = utcnow()
    links = db.scalars(
        select(ReviewLink)
        .join(SowRevision, ReviewLink.revision_id == SowRevision.id)
        .where(SowRevision.draft_id == draft.id)
        .order_by(ReviewLink.id)
    ).all()
    emails = _sent_emails(db, draft.engagement_id, kind_of(draft).sent_template)
    acceptance = acceptance_of(db, draft.id)
    newest = latest_sent(db, draft.id)
    accepted = acceptance.revision.number if acceptance else None
    # Each link and its email are made in one transaction, one each: they pair in order.
    sends = [
        _sent_link(link, emails[n] if n < len(emails) else None, newest, accepted, now)
        for n, link in enumerate(links)
    ]
    numbers = {revision.id: revision.number for revision in draft.revisions}
    requests = list(draft.requests)
    return ReviewStatus(
        sends=list(reversed(sends)),
        pending=_pending(db, draft.id),
        acceptance=acceptance,
        customer_requests=[
            CustomerRequest(numbers.get(r.revision_id or 0), r.at, r.note, list(r.sections or []))
            for r in reversed(requests)
            if r.from_customer
        ],
        request_count=len(requests),
    )


def _sent_link(
    link: ReviewLink,
    email: SentEmail | None,
    newest: int | None,
    accepted: int | None,
    now: datetime,
) -> SentLink:
    state = state_of(
        revision=link.revision.number,
        latest_sent=newest,
        revoked=link.revoked_at is not None,
        expired=link.expires_at <= now,
        accepted_revision=accepted,
    )
    return SentLink(
        link.revision.number, link.created_at, link.created_by, link.expires_at, state, email
    )


def _sent_emails(db: Session, engagement_id: int, template: str) -> list[SentEmail]:
    rows = db.scalars(
        select(OutgoingEmail)
        .where(
            OutgoingEmail.engagement_id == engagement_id,
            OutgoingEmail.template == template,
        )
        .order_by(OutgoingEmail.id)
    ).all()
    return [
        SentEmail(
            e.id, ", ".join(r["address"] for r in e.recipients), e.status, e.sent_at, e.last_error
        )
        for e in rows
    ]


def send_key_prefix(draft_id: int) -> str:
    return f"{SEND_JOB}:{draft_id}:"


def _pending(db: Session, draft_id: int) -> PendingSend | None:
    job = db.scalars(
        select(Job)
        .where(Job.kind == SEND_JOB, Job.dedupe_key.startswith(send_key_prefix(draft_id)))
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    if job is None or job.status is JobStatus.DONE:
        return None
    payload = job.payload
    failed = job.last_error if job.status is JobStatus.FAILED else None
    return PendingSend(int(payload["revision"]), str(payload["to_address"]), failed)
