"""The customer accepts a sent revision of a document (a SoW, a Customer PS Acceptance
Document): who, when, from where, and what exactly. One mechanism for both; what follows an
acceptance is the document kind's (``document_kinds``: the SoW's card moves to Planned, the
acceptance document completes the engagement), in the acceptance's transaction.

What is accepted is the PDF file the customer received: attached to our email and served by
the review page's download, rendered once and kept under its stored name, so its bytes never
change. It is what they read; the Markdown is our source, and an HTML page is redrawn by each
browser. The SHA-256 of those bytes is recorded, so anyone holding the attachment can check
that it is the document accepted (``sha256sum``), and the acceptance record quotes it.

:func:`accept` takes the engagement's lock (as a new send does) and opens the link again under
it, so an acceptance racing a send of a newer revision either comes first (and the send is
refused) or finds its link superseded. Of parallel acceptances, the first records one and the
others find it under the lock; the unique constraint on the draft is the last word, so even
without the lock (SQLite ignores ``FOR UPDATE``; there its one writer at a time serialises them)
one acceptance is stored and one set of emails queued.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.models import utcnow
from questionnaire.store.reviews import Acceptance

from . import audit, exports, jobs, mail
from .acceptance_record import RECORD_JOB, day_and_time
from .context import Context
from .review_customer import (
    AlreadyAccepted,
    OpenReview,
    clean,
    delivery_people,
    open_for_change,
    open_review,
)
from .review_links import is_address
from .review_state import acceptance_of
from .settings import Settings

MAX_NAME = 200


@dataclass(frozen=True)
class AcceptanceForm:
    full_name: str
    job_title: str
    authorised: bool


@dataclass(frozen=True)
class Visitor:
    """Where the acceptance came from: the client's address, as the app's trusted-proxy setting
    (``PROXY_FIX``) determines it, and its browser's User-Agent."""

    address: str
    user_agent: str


class InvalidAcceptance(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class DocumentUnavailable(Exception):
    """The revision's PDF is not in storage (a link is made only once it is: never, in use)."""


@dataclass(frozen=True)
class Document:
    name: str
    sha256: str


def check(
    form: AcceptanceForm, organisation: str, document_title: str = "Statement of Work"
) -> AcceptanceForm:
    """The form cleaned, or :class:`InvalidAcceptance` with a message per field."""
    name, title = clean(form.full_name), clean(form.job_title)
    errors = {}
    for key, value, what in (("full_name", name, "full name"), ("job_title", title, "job title")):
        if not value:
            errors[key] = f"Enter your {what}"
        elif len(value) > MAX_NAME:
            errors[key] = f"Your {what} must be {MAX_NAME} characters or fewer"
    if not form.authorised:
        errors["authorised"] = (
            f"Confirm that you may accept this {document_title} on behalf of {organisation}"
        )
    if errors:
        raise InvalidAcceptance(errors)
    return AcceptanceForm(" ".join(name.split()), " ".join(title.split()), True)


def document(settings: Settings, db: Session, opened: OpenReview) -> Document:
    """The PDF the customer received, and its SHA-256."""
    found = exports.find(settings, db, opened.revision, opened.engagement.customer, "pdf")
    if not isinstance(found, exports.Ready):
        raise DocumentUnavailable
    return Document(found.filename, _sha256(found.path))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        for block in iter(lambda: stored.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def accept(
    db: Session, context: Context, token: str, form: AcceptanceForm, visitor: Visitor
) -> Acceptance:
    """Record the acceptance, do what the document's kind does on acceptance (the SoW's card
    to Planned), queue the record and the emails; commits. Raises :class:`InvalidAcceptance`,
    ``ReviewRefused``, :class:`AlreadyAccepted` or :class:`DocumentUnavailable` (nothing is
    stored then)."""
    first = open_review(db, context, token)
    given = check(form, first.engagement.customer, first.kind.title)
    accepted = document(context.settings, db, first)  # read before the lock: a file of MBs
    opened = open_for_change(db, context, first)
    acceptance = Acceptance(
        draft_id=opened.revision.draft_id, revision_id=opened.revision.id,
        engagement_id=opened.engagement.id, review_link_id=opened.link.id,
        full_name=given.full_name, job_title=given.job_title, authorised=True,
        accepted_at=utcnow(), ip_address=visitor.address[:45],
        user_agent=clean(visitor.user_agent)[:500], document_sha256=accepted.sha256,
        document_name=accepted.name,
    )  # fmt: skip
    try:
        with db.begin_nested():
            db.add(acceptance)
    except IntegrityError:  # another acceptance committed first (SQLite; or no lock held)
        db.rollback()
        found = acceptance_of(db, opened.revision.draft_id)
        assert found is not None
        raise AlreadyAccepted(found) from None
    _effects(db, context, opened, acceptance)
    db.commit()
    return acceptance


def _effects(db: Session, context: Context, opened: OpenReview, acceptance: Acceptance) -> None:
    """The kind's own effect, the history, the record's job, the email to engineer and sales."""
    engagement, number, kind = opened.engagement, opened.revision.number, opened.kind
    kind.on_accepted(db, context, engagement, acceptance)
    audit.record(
        db, opened.actor, kind.action("accepted"), engagement_id=engagement.id, revision=number,
        full_name=acceptance.full_name, job_title=acceptance.job_title,
        document_sha256=acceptance.document_sha256, ip_address=acceptance.ip_address,
    )  # fmt: skip
    jobs.enqueue(db, RECORD_JOB, {"acceptance_id": acceptance.id},
                 dedupe_key=f"{RECORD_JOB}:{acceptance.id}", max_attempts=3)  # fmt: skip
    to = delivery_people(db, context, opened)
    sales = engagement.created_by
    if is_address(sales) and all(sales != (p if isinstance(p, str) else p[1]) for p in to):
        to.append(sales)
    mail.queue(
        db, context, template=kind.accepted_template, to=to, actor=opened.actor,
        engagement_id=engagement.id,
        values={
            "organisation": engagement.customer, "project": engagement.project,
            "revision": number, "full_name": acceptance.full_name,
            "job_title": acceptance.job_title, "accepted_at": day_and_time(acceptance.accepted_at),
            "document_sha256": acceptance.document_sha256, "engagement_id": engagement.id,
        },
    )  # fmt: skip
