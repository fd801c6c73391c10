"""Close-out: the customer accepted the Customer PS Acceptance Document, the engagement is done.

:func:`on_acceptance_document_accepted` is called inside the customer's acceptance transaction
(the acceptance use case owns and commits it): it moves the card to Complete, records the
completion and queues the work that follows, all in that transaction, so all of it stands or
falls with the acceptance:

- the support handover document (``support_document``), made by the worker, whose job then
  queues the completion summary email to sales and finance (``completion_summary``);
- the completed engagement's record (``completion_record``) for the webhook, when one is
  configured (``webhooks``): the row and its job commit with the completion.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.store.closeout import EngagementCompletion
from questionnaire.store.models import utcnow

from . import audit, board, completion_record, support_document, webhooks
from .closeout_facts import facts_of
from .context import Context

__all__ = ["COMPLETE_ACTION", "on_acceptance_document_accepted", "record_of"]

COMPLETE_ACTION = "closeout.complete"


def on_acceptance_document_accepted(
    db: Session, context: Context, engagement_id: int, accepted_by: str
) -> None:
    """The customer (``accepted_by``: who, as the acceptance names them) accepted the
    acceptance document.

    In the caller's transaction, no commit; queues work for the worker. Safe to call twice:
    a second call for an engagement already complete changes nothing.
    """
    try:
        with db.begin_nested():
            db.add(EngagementCompletion(engagement_id=engagement_id, accepted_by=accepted_by,
                                        completed_at=utcnow()))  # fmt: skip
    except IntegrityError:
        return  # complete already: the first acceptance queued everything
    moved = board.note_complete(db, engagement_id, accepted_by)
    audit.record(db, accepted_by, COMPLETE_ACTION, engagement_id=engagement_id, moved=moved)
    support_document.queue(db, engagement_id)
    webhooks.queue(
        db, context, engagement_id, completion_record.to_json(record_of(db, context, engagement_id))
    )


def record_of(db: Session, context: Context, engagement_id: int) -> dict[str, object]:
    """The completed engagement's record (``completion_record.build``). ``NotFound``."""
    facts = facts_of(db, engagement_id)
    return completion_record.build(completion_record.input_of(facts), context.settings.base_url)
