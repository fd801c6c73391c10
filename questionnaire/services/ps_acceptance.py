"""The Customer PS Acceptance Document: generated from the engagement's records, revised by the
engineer as Markdown, then sent and accepted online exactly as the Statement of Work is.

It is a draft of kind ``ps_acceptance`` (``document_kinds.PS_ACCEPTANCE``) with numbered
revisions, so the SoW's own machinery serves it unchanged: exports (PDF, DOCX, HTML),
``review_links.send``, the customer's review page, change requests, the acceptance with the
PDF's SHA-256 and its record. What is its own is the text: ``templates/documents/
ps_acceptance.md`` rendered in the SoW templates' sandbox with :mod:`ps_acceptance_facts`.
Generating again adds a revision (an engineer's edits are revisions too, compared as the SoW's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement, SowDraft, SowRevision
from questionnaire.store.reviews import Acceptance
from sow_prefill import sandbox
from sow_prefill.sandbox import RenderError, make_environment

from . import exports, review_links, review_state, sow, sow_desk
from .context import Context
from .document_kinds import PS_ACCEPTANCE
from .ps_acceptance_facts import values_of
from .settings import Settings

TEMPLATE = "ps_acceptance.md"
KIND = PS_ACCEPTANCE


class TemplateBroken(Exception):
    """The document's template would not render (the message says where): an operator's fix."""


@dataclass(frozen=True)
class Workspace:
    """The engineer's page: the engagement, the draft and latest revision once generated, the
    latest revision's exports, and where it stands with the customer."""

    engagement: Engagement
    draft: SowDraft | None
    current: SowRevision | None
    exports: dict[str, exports.NotReady | None]
    review: review_state.ReviewStatus | None


def workspace(db: Session, engagement_id: int) -> Workspace:
    """Reads only. ``NotFound`` for no such engagement."""
    engagement = sow_desk.engagement(db, engagement_id)
    draft = KIND.find_draft(db, engagement)
    if draft is None or not draft.revisions:
        return Workspace(engagement, None, None, {}, None)
    current = draft.revisions[-1]
    review = review_state.status_of(db, draft)
    return Workspace(engagement, draft, current, exports.states(db, current), review)


@dataclass(frozen=True)
class Summary:
    """Where the document stands, in a line for the engagement page."""

    latest: int
    #: The newest revision sent, and whether the customer asked for changes since.
    sent: int | None
    changes_requested: bool
    accepted: Acceptance | None


def summary(db: Session, engagement: Engagement) -> Summary | None:
    """``None`` until it is generated. Reads only."""
    draft = KIND.find_draft(db, engagement)
    if draft is None or not draft.revisions:
        return None
    last_sent = next((r for r in reversed(draft.revisions) if r.sent_at is not None), None)
    asked = last_sent is not None and any(
        r.from_customer and r.revision_id == last_sent.id for r in draft.requests
    )
    return Summary(
        draft.revisions[-1].number, last_sent.number if last_sent else None, asked,
        review_state.acceptance_of(db, draft.id),
    )  # fmt: skip


def template_path(settings: Settings) -> Path:
    """``TEMPLATES_DIR/documents``: beside the email templates (``TEMPLATES_DIR/emails``)."""
    return settings.mail.templates_dir.parent / "documents" / TEMPLATE


def markdown_of(db: Session, context: Context, engagement: Engagement) -> str:
    return render_document(template_path(context.settings), values_of(db, context, engagement))


def render_document(path: Path, values: Mapping[str, Any]) -> str:
    """The template at ``path`` with ``values``, in the SoW templates' sandbox: every value
    escaped for Markdown, so what the customer or an engineer typed reads as text."""
    try:
        return sandbox.render(
            make_environment(), path.read_text(encoding="utf-8"), values, str(path)
        )
    except (OSError, RenderError) as exc:
        raise TemplateBroken(
            f"The acceptance document's template could not be used: {exc}"
        ) from exc


def generate(db: Session, context: Context, engagement_id: int, actor: str) -> SowRevision:
    """A new revision from the engagement's records as they are now (the draft is made with
    the first); commits. ``NotFound``, ``SowAccepted`` once accepted, :class:`TemplateBroken`."""
    engagement = sow_desk.lock(db, engagement_id)
    markdown = markdown_of(db, context, engagement)
    draft = _draft_for_update(db, engagement)
    sow_desk.refuse_if_accepted(db, draft)
    latest = draft.revisions[-1].number if draft.revisions else 0
    return sow.save_revision(db, draft, markdown, actor, latest, "generated from the records")


def _draft_for_update(db: Session, engagement: Engagement) -> SowDraft:
    """The engagement's draft, made if it has none (under the engagement's lock: one each)."""
    found = KIND.find_draft(db, engagement)
    if found is not None:
        return found
    draft = SowDraft(
        engagement_id=engagement.id, kind=KIND.name, response_id=None,
        prefill={"title": KIND.title},
    )  # fmt: skip
    db.add(draft)
    db.flush()
    return draft


def save(
    db: Session, engagement_id: int, markdown: str, author: str, edited_from: int, note: str | None
) -> SowRevision:
    """The engineer's edit as a new revision; ``RevisionConflict`` if another came first."""
    draft = _draft(db, engagement_id)
    sow_desk.refuse_if_accepted(db, draft)
    return sow.save_revision(db, draft, markdown, author, edited_from, note)


def revision(db: Session, engagement_id: int, number: int) -> tuple[SowDraft, SowRevision]:
    return review_links.document_revision(db, KIND, engagement_id, number)


def send(
    db: Session, engagement_id: int, number: int, to_name: str, to_address: str, actor: str
) -> SowRevision:
    """Revision ``number`` by email with its PDF and a review link, as the SoW is sent."""
    return review_links.send(db, engagement_id, number, to_name, to_address, actor, kind=KIND)


def prepare_export(db: Session, engagement_id: int, number: int, fmt: str) -> None:
    _, chosen = revision(db, engagement_id, number)
    exports.prepare(db, chosen, fmt)


def _draft(db: Session, engagement_id: int) -> SowDraft:
    found = KIND.find_draft(db, sow_desk.engagement(db, engagement_id))
    if found is None:
        raise sow_desk.NotFound(f"There is no {KIND.title} yet.")
    return found
