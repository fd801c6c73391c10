"""The customer's side of a sent document (a SoW, a Customer PS Acceptance Document), behind
its review link: open it, ask for changes. What differs by document is its ``kind``.

:func:`open_review` reads only (mail scanners open links before people do). The use cases
that change something (:func:`request_changes` here, :func:`.acceptances.accept`) take the
engagement's lock first, the one a new send takes, then open the link again under it: what they
act on is the state after any send or acceptance that committed before them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, RevisionRequest, SowRevision, utcnow
from questionnaire.store.reviews import Acceptance, ReviewLink

from . import audit, links, mail
from .context import Context
from .document_kinds import DocumentKind, of_revision
from .review_links import sender_of
from .review_state import ADVISE_CALL_FROM, ReviewState, acceptance_of, latest_sent, state_of

MAX_COMMENT = 5000
_HEADINGS = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Contact:
    """Whom the customer writes to: the engineer who sent the document."""

    name: str
    address: str


class ReviewRefused(Exception):
    """The token opens no working review: unknown, expired, revoked or superseded."""

    def __init__(
        self, state: ReviewState, contact: Contact | None = None, title: str = "Statement of Work"
    ) -> None:
        super().__init__(state.value)
        self.state, self.contact, self.title = state, contact, title


class AlreadyAccepted(Exception):
    """The document was accepted (perhaps a moment ago, in another tab): nothing more to do."""

    def __init__(self, acceptance: Acceptance) -> None:
        super().__init__(f"accepted by {acceptance.full_name}")
        self.acceptance = acceptance


@dataclass
class OpenReview:
    """What a working review link opens."""

    token: str
    link: ReviewLink
    revision: SowRevision
    engagement: Engagement
    acceptance: Acceptance | None
    contact: Contact

    @property
    def kind(self) -> DocumentKind:
        return of_revision(self.revision)

    @property
    def actor(self) -> str:
        return f"customer:review:{self.link.id}"

    @property
    def sections(self) -> list[str]:
        return sections_of(self.revision.markdown)


def open_review(db: Session, context: Context, token: str) -> OpenReview:
    """The review a token opens (reads only); :class:`ReviewRefused` if none works."""
    if not links.valid_shape(token):
        raise ReviewRefused(ReviewState.UNKNOWN)
    link = db.scalars(
        select(ReviewLink)
        .where(ReviewLink.token_hash == links.token_hash(token))
        .execution_options(populate_existing=True)
    ).first()
    if link is None:
        raise ReviewRefused(ReviewState.UNKNOWN)
    revision = link.revision
    acceptance = acceptance_of(db, revision.draft_id)
    contact = Contact(*sender_of(db, link.created_by, context))
    state = state_of(
        revision=revision.number,
        latest_sent=latest_sent(db, revision.draft_id),
        revoked=link.revoked_at is not None,
        expired=link.expires_at <= utcnow(),
        accepted_revision=acceptance.revision.number if acceptance else None,
    )
    if state not in (ReviewState.ACTIVE, ReviewState.ACCEPTED):
        raise ReviewRefused(state, contact, of_revision(revision).title)
    engagement = db.get(Engagement, link.engagement_id)
    assert engagement is not None  # the link's foreign key
    return OpenReview(token, link, revision, engagement, acceptance, contact)


def open_for_change(db: Session, context: Context, first: OpenReview) -> OpenReview:
    """The review ``first`` opened, opened again under the engagement's lock;
    :class:`AlreadyAccepted` once it was accepted. For the use cases that change something
    (they commit, or roll back)."""
    if first.acceptance is not None:
        raise AlreadyAccepted(first.acceptance)
    db.expire_all()  # read again, under the lock, what committed before it
    links.lock_engagement(db, first.engagement.id)
    try:
        opened = open_review(db, context, first.token)
    except ReviewRefused:
        db.rollback()
        raise
    if opened.acceptance is not None:
        db.rollback()
        raise AlreadyAccepted(opened.acceptance)
    return opened


def sections_of(markdown: str) -> list[str]:
    """The document's sections, for comments on each: the text of its level-2 headings."""
    tokens = _HEADINGS.parse(markdown)
    return [
        "".join(child.content for child in tokens[n + 1].children or [] if child.content)
        for n, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]


# -- asking for changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRequest:
    """What the form posted: a general comment and comments by section number (from 1)."""

    comment: str
    sections: Mapping[int, str] = field(default_factory=dict)


class InvalidRequest(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def clean(text: str) -> str:
    """Typed text as stored: no NUL or other control characters but line breaks and tabs."""
    kept = "".join(c for c in text if c in "\n\t" or not (ord(c) < 32 or 127 <= ord(c) < 160))
    return kept.replace("\r", "").strip()


def request_changes(
    db: Session, context: Context, token: str, posted: ChangeRequest
) -> RevisionRequest:
    """Store the customer's request and email the engineers; commits. Raises
    :class:`InvalidRequest` (nothing stored), :class:`ReviewRefused` or :class:`AlreadyAccepted`."""
    first = open_review(db, context, token)
    comment, by_section = _checked(posted, first.sections)  # before any lock is taken
    opened = open_for_change(db, context, first)
    request = RevisionRequest(
        draft_id=opened.revision.draft_id, revision_id=opened.revision.id, note=comment,
        recorded_by=opened.actor, from_customer=True, sections=by_section,
    )  # fmt: skip
    db.add(request)
    db.flush()
    count = db.scalar(
        select(func.count()).where(RevisionRequest.draft_id == opened.revision.draft_id)
    )
    kind = opened.kind
    audit.record(db, opened.actor, kind.action("revision_request"),
                 engagement_id=opened.engagement.id, revision=opened.revision.number,
                 from_customer=True)  # fmt: skip
    mail.queue(
        db, context, template=kind.changes_template, to=delivery_people(db, context, opened),
        actor=opened.actor, engagement_id=opened.engagement.id,
        values={
            "organisation": opened.engagement.customer, "project": opened.engagement.project,
            "revision": opened.revision.number, "comment": comment or None,
            "sections": [f"{s['section']}: {s['comment']}" for s in by_section] or None, "request_count": count,
            "advise_call": (count or 0) >= ADVISE_CALL_FROM or None,
            "engagement_id": opened.engagement.id,
        },
    )  # fmt: skip
    db.commit()
    return request


def _checked(posted: ChangeRequest, sections: list[str]) -> tuple[str, list[dict[str, str]]]:
    comment = clean(posted.comment)
    errors = {}
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Your comments must be {MAX_COMMENT:,} characters or fewer"
    by_section = []
    for number, heading in enumerate(sections, start=1):
        text = clean(posted.sections.get(number, ""))
        if len(text) > MAX_COMMENT:
            errors[f"section-{number}"] = (
                f"Your comments on “{heading}” must be {MAX_COMMENT:,} characters or fewer"
            )
        elif text:
            by_section.append({"section": heading, "comment": text})
    if not errors and not comment and not by_section:
        errors["comment"] = "Enter what you would like us to change, here or beside a section"
    if errors:
        raise InvalidRequest(errors)
    return comment, by_section


def delivery_people(db: Session, context: Context, opened: OpenReview) -> list[mail.Recipient]:
    """The engineer who sent the document and the one assigned (once each), else the services
    team: who is told what the customer did."""
    people: list[mail.Recipient] = []
    name, address = sender_of(db, opened.link.created_by, context)
    if address != context.settings.contact_email:
        people.append((name, address))
    engineer = opened.engagement.engineer
    if engineer is not None and engineer.email != address:
        people.append((engineer.name, engineer.email))
    return people or [context.settings.mail.services_team]
