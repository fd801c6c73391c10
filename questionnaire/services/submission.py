"""The customer's review of their answers, the single submission, and what they see after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from questionnaire.engine import FlowResult, Questionnaire
from questionnaire.store.models import Response

from . import responses, sow, submission_notices
from .context import Context
from .journey import Go, OpenLink, flow_of, resume
from .validation_ids import VALIDATION


@dataclass(frozen=True)
class Review:
    q: Questionnaire
    response: Response
    flow: FlowResult


def review(context: Context, opened: OpenLink) -> Review | Go:
    if opened.response is None or opened.submitted:
        return resume(context, opened)
    return Review(opened.questionnaire, opened.response, flow_of(context, opened))


def submit(db: Session, context: Context, opened: OpenLink, version: int) -> Go | Review:
    """Submit once, and queue the SoW's pre-fill and the submission's emails (the customer's
    confirmation, the engineer's notice) in the same transaction.

    The draft is made by the background worker: a slow or broken template never makes the
    customer wait or fail. A stale or incomplete submission gets the review page back.
    """
    response = opened.response
    if response is None:
        return resume(context, opened)
    if opened.submitted:
        return Go("done")
    flow = flow_of(context, opened)
    try:
        responses.submit(db, response, version, flow, opened.actor, after=_after(context))
    except responses.AlreadySubmitted:
        return Go("done")
    except responses.Conflict:
        db.refresh(response)
        return Review(opened.questionnaire, response, flow_of(context, opened))
    return Go("done", submitted_now=True)


def _after(context: Context) -> Callable[[Session, Response], None]:
    """What the submission's transaction also holds: the SoW's pre-fill job, and the emails."""

    def queue_work(db: Session, response: Response) -> None:
        if response.definition_id != VALIDATION:  # validation feeds acceptance, not the SoW
            sow.queue_prefill(db, response, "pre-filler", reason="submitted")
        submission_notices.queue_notices(db, context, response)

    return queue_work


@dataclass(frozen=True)
class Done:
    q: Questionnaire
    response: Response
    flow: FlowResult


def done(context: Context, opened: OpenLink) -> Done | Go:
    if not opened.submitted or opened.response is None:
        return resume(context, opened)
    return Done(opened.questionnaire, opened.response, flow_of(context, opened))
