"""Close-out: the customer accepted the Customer PS Acceptance Document, the engagement is done.

:func:`on_acceptance_document_accepted` is called inside the customer's acceptance transaction
(the acceptance use case owns and commits it): it moves the card to Complete, records the
completion and queues the work that follows (the support handover document, the completion
summary email, the webhook). It never commits, so all of it stands or falls with the
acceptance.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .context import Context

__all__ = ["on_acceptance_document_accepted"]


def on_acceptance_document_accepted(
    db: Session, context: Context, engagement_id: int, accepted_by: str
) -> None:
    """The customer (``accepted_by``, their email) accepted the acceptance document.

    In the caller's transaction, no commit; queues work for the worker. Safe to call twice:
    a second call for an engagement already complete changes nothing.
    """
    del db, context, engagement_id, accepted_by  # filled in by the close-out's next commit
