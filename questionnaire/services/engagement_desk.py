"""The engineer's engagement use cases: the list, a new engagement and its link, an engagement's
page, its commercial facts, its links and its files.

Each takes its inputs explicitly (a session, the context or its settings, the acting engineer),
looks its records up by the ids in the URL and raises :class:`NotFound` with what a person can
read, owns its transaction, and returns a typed result a view only has to render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.engine import FlowResult, Questionnaire
from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    Link,
    PipelineStage,
    Response,
    SowDraft,
    SowRevision,
    Upload,
    utcnow,
)

from . import (
    audit,
    booking_panel,
    engagements,
    links,
    prefill_answers,
    ps_acceptance,
    sow,
    uploads,
    validation_desk,
)
from .board_cards import LABELS
from .context import Context
from .facts import EDITABLE, FactShown, facts_as_used
from .filetypes import KIND_MEDIA_TYPES
from .invitation_state import SendPanel, panel
from .responses import file_ids
from .settings import Settings
from .sow_desk import NotFound
from .validation_ids import VALIDATION

__all__ = ["EDITABLE", "NotFound"]

DEFAULT_DEFINITION = "pre_discovery"
MAX_TEXT = 200
MAX_EXPIRY_DAYS = 365
UPLOAD_ID = re.compile(r"[0-9a-f]{32}")


def list_engagements(db: Session, listing: engagements.Listing) -> engagements.Page:
    return engagements.page(db, listing)


# -- a new engagement and its link ---------------------------------------------------------------


@dataclass(frozen=True)
class EngagementForm:
    """The new-engagement form as posted (text already refused at the edge if it held NUL)."""

    customer: str
    project: str
    definition: str
    #: ``None`` when what was typed is not a whole number.
    expires_days: int | None


@dataclass(frozen=True)
class NewLink:
    """A link just made: the only time its URL is known (only its hash is stored)."""

    engagement_id: int
    customer: str
    url: str


def form_errors(context: Context, form: EngagementForm) -> dict[str, str]:
    errors = {}
    if not form.customer or len(form.customer) > MAX_TEXT:
        errors["customer"] = "Enter the customer's organisation name (200 characters at most)"
    if form.definition not in context.definitions.current:
        errors["definition"] = "Select a questionnaire"
    if form.expires_days is None or not 1 <= form.expires_days <= MAX_EXPIRY_DAYS:
        errors["expires_days"] = "Enter a number of days between 1 and 365"
    return errors


def new_engagement(
    db: Session, context: Context, form: EngagementForm, actor: str
) -> NewLink | dict[str, str]:
    """The engagement and its link, or the form's errors by field."""
    errors = form_errors(context, form)
    if errors:
        return errors
    assert form.expires_days is not None
    invitation = links.invite(
        db, form.customer, form.definition, timedelta(days=form.expires_days), actor,
        form.project[:MAX_TEXT] or None,
    )  # fmt: skip
    engagement = invitation.engagement
    url = links.link_url(context.settings.base_url, invitation.token)
    return NewLink(engagement.id, engagement.customer, url)


def reissue_link(db: Session, settings: Settings, engagement_id: int, actor: str) -> NewLink:
    """A new link for the latest link's questionnaire; the link still open, if any, ends."""
    definition = db.scalar(
        select(Link.definition_id)
        .where(Link.engagement_id == engagement_id)
        .order_by(Link.id.desc())
        .limit(1)
    )
    expires_in = timedelta(days=settings.link_expiry_days)
    try:
        _, token = links.issue_link(
            db, engagement_id, definition or DEFAULT_DEFINITION, expires_in, actor
        )
    except links.NoSuchEngagement:
        raise NotFound("There is no such engagement.") from None
    customer = engagement(db, engagement_id).customer  # locked and loaded by issue_link
    db.commit()
    return NewLink(engagement_id, customer, links.link_url(settings.base_url, token))


def revoke_link(db: Session, engagement_id: int, link_id: int, actor: str) -> bool:
    """End the link; whether this ended it (``False``: it had already been revoked)."""
    try:
        ended = links.revoke_link(db, engagement_id, link_id, actor)
    except links.NoSuchEngagement:
        raise NotFound("There is no such engagement.") from None
    except links.NoSuchLink:
        raise NotFound("There is no such link.") from None
    db.commit()
    return ended


# -- an engagement's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """The latest response, its questionnaire and flow, and its files."""

    response: Response
    q: Questionnaire
    flow: FlowResult
    uploads: list[Upload]
    prefill: sow.PrefillState
    #: The pre-filled answers the customer changed from what sales entered.
    corrections: list[prefill_answers.Correction] = field(default_factory=list)
    #: The uploads the answers name whose files were removed after the retention period.
    removed_files: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SowSummary:
    """The SoW draft: its latest revision (``None`` until the first) and what to confirm."""

    revision: int | None
    to_confirm: int


@dataclass(frozen=True)
class OnTheBoard:
    """Where the engagement stands on the board: its stage's label and its engineer, if any.
    The page links to its card, where the lead assigns an engineer (the services team's
    handover email sends them to this page to do so)."""

    stage: str
    engineer: str | None
    needs_engineer: bool


@dataclass(frozen=True)
class EngagementPage:
    """Everything the engagement page shows, loaded: rendering it runs no query."""

    engagement: Engagement
    facts: list[FactShown]
    link: Link | None
    link_state: str
    answers: Answers | None
    sow: SowSummary | None
    events: list[AuditEvent]
    board: OnTheBoard
    #: Sending the questionnaire by email: the last sending, and the form's starting values.
    questionnaire: SendPanel | None = None
    #: Booking meetings: the bookings, the booking links, the send form's starting values.
    booking: booking_panel.BookingPanel | None = None
    #: The validation questionnaire: whether it can be sent, its sending, the customer's progress.
    validation: validation_desk.ValidationSection | None = None
    #: The Customer PS Acceptance Document: its latest revision, sending and acceptance.
    acceptance_document: ps_acceptance.Summary | None = None


def engagement(db: Session, engagement_id: int) -> Engagement:
    found = db.get(Engagement, engagement_id)
    if found is None:
        raise NotFound("There is no such engagement.")
    return found


def engagement_page(db: Session, context: Context, engagement_id: int) -> EngagementPage:
    found = engagement(db, engagement_id)
    link = db.scalars(
        select(Link).where(Link.engagement_id == found.id).order_by(Link.id.desc()).limit(1)
    ).first()
    state = engagements.link_state(link.expires_at, link.revoked_at, utcnow()) if link else "none"
    answers = _answers(db, context, found.id)
    flow = answers.flow if answers else None
    questions = answers.q.models if answers else {}
    return EngagementPage(
        engagement=found,
        facts=facts_as_used(found.facts, flow, questions),
        link=link,
        link_state=state,
        answers=answers,
        sow=_sow_summary(db, answers.response) if answers else None,
        events=audit.recent(db, found.id),
        board=_on_the_board(found),
        questionnaire=panel(db, context, found),
        booking=booking_panel.panel(db, context, found),
        validation=validation_desk.section(db, context, found),
        acceptance_document=ps_acceptance.summary(db, found),
    )


def _on_the_board(found: Engagement) -> OnTheBoard:
    stage = PipelineStage(found.pipeline_stage)
    engineer = found.engineer.name if found.engineer else None
    return OnTheBoard(LABELS[stage], engineer, stage == PipelineStage.PIPELINE)


def _answers(db: Session, context: Context, engagement_id: int) -> Answers | None:
    response = db.scalars(
        select(Response)
        .where(Response.engagement_id == engagement_id, Response.definition_id != VALIDATION)
        .order_by(Response.id.desc())
    ).first()
    if response is None:
        return None
    q = context.definitions.by_hash(db, response.definition_sha256)
    files = db.scalars(
        select(Upload).where(Upload.response_id == response.id).order_by(Upload.created_at)
    ).all()
    flow = context.flows.flow_of(q, response)
    corrections = prefill_answers.corrections(q, flow, prefill_answers.prefilled(db, response))
    removed = frozenset(file_ids(response.answers) - {upload.id for upload in files})
    return Answers(response, q, flow, list(files), sow.prefill_state(db, response), corrections,
                   removed_files=removed)  # fmt: skip


def _sow_summary(db: Session, response: Response) -> SowSummary | None:
    draft = db.scalars(select(SowDraft).where(SowDraft.response_id == response.id)).first()
    if draft is None:
        return None
    latest = db.scalar(select(func.max(SowRevision.number)).where(SowRevision.draft_id == draft.id))
    return SowSummary(latest, len(draft.prefill.get("checklist", [])))


def save_facts(
    db: Session, engagement_id: int, facts: Mapping[str, str], project: str, actor: str
) -> None:
    """Record the commercial facts typed (an empty one is left to the customer's answer).

    The form shows only the facts the SoW reads: the rest of the handover's (the agreement's
    link, the timeline, sales' notes) are kept as they are.
    """
    found = engagement(db, engagement_id)
    kept = {key: value for key, value in found.facts.items() if key not in EDITABLE}
    typed = {key: facts[key][:MAX_TEXT] for key in EDITABLE if facts.get(key)}
    found.facts = {**kept, **typed}
    found.project = project[:MAX_TEXT] or None
    found.search_text = engagements.search_text_of(found.customer, found.project)
    audit.record(db, actor, "engagement.facts", engagement_id=found.id, facts=found.facts)
    db.commit()


# -- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    filename: str


def download(db: Session, settings: Settings, upload_id: str) -> Download:
    """An uploaded file, to be sent as an attachment under its original name."""
    # Ids are 32 hex digits (uploads.py): anything else names no file, and is not looked up.
    upload = db.get(Upload, upload_id) if UPLOAD_ID.fullmatch(upload_id) else None
    if upload is None:
        raise NotFound("There is no such file.")
    path = uploads.path_of(settings, upload)
    if not path.is_file():
        raise NotFound("The file is missing from storage.")
    media_type = KIND_MEDIA_TYPES.get(upload.kind, "application/octet-stream")
    return Download(path, media_type, upload.original_name)
