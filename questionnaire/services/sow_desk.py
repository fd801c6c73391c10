"""The engineer's SoW use cases: find a draft or a revision, ask for a pre-fill, save, send.

Each looks its records up by the ids in the URL and raises :class:`NotFound` with what a
person can read, so a view renders a 404 without querying anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, Response, SowDraft, SowRevision
from sow_prefill import model

from . import exports, links, review_state, sow
from .document_kinds import kind_of
from .validation_ids import VALIDATION


class NotFound(LookupError):
    """What the URL names does not exist (the message says what)."""


class SowAccepted(Exception):
    """The customer accepted a revision of this document (a SoW, or another sent for
    acceptance): it is final, nothing more is sent."""

    def __init__(self, revision: int, title: str = "Statement of Work") -> None:
        super().__init__(
            f"The customer accepted revision {revision} of this {title}: nothing more can be sent."
        )
        self.revision = revision


class NotStarted(Exception):
    """The customer has not started the questionnaire: there is nothing to pre-fill from."""


def engagement(db: Session, engagement_id: int) -> Engagement:
    found = db.get(Engagement, engagement_id)
    if found is None:
        raise NotFound("There is no such engagement.")
    return found


def _latest_response(db: Session, engagement_id: int) -> Response | None:
    return db.scalars(
        select(Response)
        .where(Response.engagement_id == engagement_id, Response.definition_id != VALIDATION)
        .order_by(Response.id.desc())
    ).first()


@dataclass(frozen=True)
class Workspace:
    """The SoW page: the engagement, its draft and latest revision, the exports' states."""

    engagement: Engagement
    draft: SowDraft
    current: SowRevision
    exports: dict[str, exports.NotReady | None]
    review: review_state.ReviewStatus

    @property
    def unconfirmed(self) -> list[str]:
        """The items the latest revision still marks as to confirm (the customer would see
        them as they are, if it were sent)."""
        return model.unconfirmed(self.current.markdown)


def workspace(db: Session, engagement_id: int) -> Workspace | None:
    """``None`` when there is no revision yet (the engagement page says why)."""
    found = engagement(db, engagement_id)
    draft = sow.draft_of(db, found)
    if draft is None or not draft.revisions:
        return None
    current = draft.revisions[-1]
    review = review_state.status_of(db, draft)
    return Workspace(found, draft, current, exports.states(db, current), review)


def draft(db: Session, engagement_id: int) -> tuple[Engagement, SowDraft]:
    found = engagement(db, engagement_id)
    the_draft = sow.draft_of(db, found)
    if the_draft is None:
        raise NotFound("There is no SoW draft yet.")
    return found, the_draft


def revision(
    db: Session, engagement_id: int, number: int
) -> tuple[Engagement, SowDraft, SowRevision]:
    found, the_draft = draft(db, engagement_id)
    chosen = next((r for r in the_draft.revisions if r.number == number), None)
    if chosen is None:
        raise NotFound("There is no such revision.")
    return found, the_draft, chosen


def request_prefill(db: Session, engagement_id: int, actor: str) -> None:
    """Queue a pre-fill from the customer's latest answers (the worker makes the revision)."""
    engagement(db, engagement_id)
    response = _latest_response(db, engagement_id)
    if response is None:
        raise NotStarted
    sow.queue_prefill(db, response, actor, reason="requested")
    db.commit()


def save(
    db: Session, engagement_id: int, markdown: str, author: str, edited_from: int, note: str | None
) -> SowRevision:
    _, the_draft = draft(db, engagement_id)
    return sow.save_revision(db, the_draft, markdown, author, edited_from, note)


def mark_sent(db: Session, engagement_id: int, number: int, actor: str) -> bool:
    """Mark a revision sent by hand; :class:`SowAccepted` once the customer accepted one.

    Under the engagement's lock, as sending by email and accepting are: a revision marked sent
    supersedes the customer's link to an older one, so it must not slip in beside an acceptance.
    """
    lock(db, engagement_id)
    _, the_draft, chosen = revision(db, engagement_id, number)
    refuse_if_accepted(db, the_draft)
    return sow.mark_sent(db, chosen, actor)


def lock(db: Session, engagement_id: int) -> Engagement:
    """The engagement, locked until the transaction ends (``NotFound`` if there is none), and
    nothing this session read before held over: what is read next is what committed first."""
    engagement(db, engagement_id)
    db.expire_all()
    return links.lock_engagement(db, engagement_id)


def refuse_if_accepted(db: Session, the_draft: SowDraft) -> None:
    accepted = review_state.acceptance_of(db, the_draft.id)
    if accepted is not None:
        db.rollback()
        raise SowAccepted(accepted.revision.number, kind_of(the_draft).title)


def record_request(db: Session, engagement_id: int, note: str, actor: str) -> sow.RequestOutcome:
    _, the_draft = draft(db, engagement_id)
    return sow.record_request(db, the_draft, note, actor)


def prepare_export(db: Session, engagement_id: int, number: int, fmt: str) -> None:
    _, _, chosen = revision(db, engagement_id, number)
    exports.prepare(db, chosen, fmt)
