"""The documents a customer reviews and accepts online, and what differs between them.

One mechanism sends a revision, opens its review link, takes change requests and records the
acceptance (``review_links``, ``review_state``, ``review_customer``, ``acceptances``,
``acceptance_record``); it works on a draft (``SowDraft``) and its revisions whatever the
document. What it needs to know of the document is here, one :class:`DocumentKind` per kind,
looked up by the draft's ``kind``: its title and file names, its emails, how an engagement's
draft is found, and what happens when a revision is sent and when it is accepted.

A leaf: exports and the SoW's own modules read it, so what it calls of theirs is imported when
called.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, SowDraft, SowRevision

from .context import Context

if TYPE_CHECKING:
    from questionnaire.store.reviews import Acceptance


@dataclass(frozen=True)
class DocumentKind:
    #: ``SowDraft.kind``, and the first word of the history's actions (``sow.sent``).
    name: str
    #: How the document is named to people: "Statement of Work".
    title: str
    #: The start of its files' names: ``SoW-Customer-r2.pdf``.
    file_stem: str
    #: What the engineer does once it is accepted, as the customer's page says it.
    next_step: str
    #: The email templates: sent for review, changes requested, accepted, and the record.
    sent_template: str
    changes_template: str
    accepted_template: str
    confirmed_template: str
    #: The engagement's draft of this kind, if it has one.
    find_draft: Callable[[Session, Engagement], SowDraft | None]
    #: A revision was sent (by email or by hand), in the sender's transaction.
    on_sent: Callable[[Session, int, datetime], None]
    #: The customer accepted a revision, in the acceptance's transaction (no commit).
    on_accepted: Callable[[Session, Context, Engagement, Acceptance], None]

    def action(self, what: str) -> str:
        """The history's name for ``what`` done to this document: ``sow.accepted``."""
        return f"{self.name}.{what}"


def _sow_draft(db: Session, engagement: Engagement) -> SowDraft | None:
    from . import sow

    return sow.draft_of(db, engagement)


def _sow_sent(db: Session, engagement_id: int, at: datetime) -> None:
    """The board shows when the SoW went, and counts the customer's requests from then."""
    from . import engagements

    engagements.note_sow_sent(db, engagement_id, at)


def _sow_accepted(
    db: Session, context: Context, engagement: Engagement, accepted: Acceptance
) -> None:
    """The card moves on to Planned."""
    from . import board

    who = f"{accepted.full_name} (customer)"[:200]
    board.note_accepted(db, engagement.id, who, accepted.revision.number)


def _ps_draft(db: Session, engagement: Engagement) -> SowDraft | None:
    return db.scalars(
        select(SowDraft)
        .where(SowDraft.engagement_id == engagement.id, SowDraft.kind == PS_ACCEPTANCE.name)
        .order_by(SowDraft.id)
        .limit(1)
    ).first()


def _nothing_more(db: Session, engagement_id: int, at: datetime) -> None:
    """The board follows the SoW's sending only."""


def _ps_accepted(
    db: Session, context: Context, engagement: Engagement, accepted: Acceptance
) -> None:
    """The engagement is complete: close-out's effects, in this transaction."""
    from . import closeout

    closeout.on_acceptance_document_accepted(db, context, engagement.id, accepted.full_name)


SOW = DocumentKind(
    name="sow",
    title="Statement of Work",
    file_stem="SoW",
    next_step="will contact you to arrange the implementation",
    sent_template="sow_sent",
    changes_template="sow_changes_requested",
    accepted_template="sow_accepted",
    confirmed_template="sow_acceptance_confirmed",
    find_draft=_sow_draft,
    on_sent=_sow_sent,
    on_accepted=_sow_accepted,
)
PS_ACCEPTANCE = DocumentKind(
    name="ps_acceptance",
    title="Customer PS Acceptance Document",
    file_stem="PS-Acceptance",
    next_step="has handed your engagement over to our support team, who look after you from now on",
    sent_template="ps_acceptance_sent",
    changes_template="ps_acceptance_changes_requested",
    accepted_template="ps_acceptance_accepted",
    confirmed_template="ps_acceptance_confirmed",
    find_draft=_ps_draft,
    on_sent=_nothing_more,
    on_accepted=_ps_accepted,
)
KINDS = {kind.name: kind for kind in (SOW, PS_ACCEPTANCE)}


def kind_of(draft: SowDraft) -> DocumentKind:
    return KINDS[draft.kind or SOW.name]


def of_revision(revision: SowRevision) -> DocumentKind:
    return kind_of(revision.draft)
