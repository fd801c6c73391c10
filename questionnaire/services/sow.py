"""Statements of Work: pre-filled on submission (or on demand), revised by engineers, exported.

Revisions are numbered per draft; saving names the revision it was edited from, and the
``(draft, number)`` uniqueness makes two engineers' simultaneous saves a conflict, not a loss.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from questionnaire.engine import Questionnaire, evaluate
from questionnaire.store.models import (
    Engagement,
    Response,
    RevisionRequest,
    SowDraft,
    SowRevision,
    utcnow,
)
from sow_prefill.model import Draft
from sow_prefill.prefill import PrefillInput, prefill
from sow_prefill.sandbox import RenderError
from sow_prefill.templates import Library, load_library

from . import audit

log = logging.getLogger(__name__)

#: The seed's rule: one revision after the customer's review; beyond that, book another call.
REVISIONS_ALLOWED = 1


class RevisionConflict(Exception):
    """Someone saved a newer revision since this one was opened."""


class TemplatesUnavailable(Exception):
    """The SoW templates could not be loaded or rendered."""


def init_app(app: Flask) -> None:
    folder = Path(app.config["TEMPLATES_DIR"])
    try:
        app.extensions["sow_templates"] = load_library(folder)
    except Exception:  # a broken template must not stop customers answering
        log.exception("SoW templates in %s could not be loaded", folder)
        app.extensions["sow_templates"] = None


def library() -> Library:
    found: Library | None = current_app.extensions.get("sow_templates")
    if found is None:
        raise TemplatesUnavailable(
            "the SoW templates could not be loaded: run `questionnaire lint`"
        )
    return found


def facts_of(engagement: Engagement) -> dict[str, Any]:
    return {
        "customer": engagement.customer,
        "project": engagement.project,
        **(engagement.facts or {}),
    }


def build_draft(q: Questionnaire, response: Response, engagement: Engagement) -> Draft:
    flow = evaluate(q, response.answers)
    inp = PrefillInput(
        answers=flow.answers,
        computed=flow.computed,
        questions=q.models,
        facts=facts_of(engagement),
        dropped=[d.as_json() for d in flow.dropped],
    )
    try:
        return prefill(library(), inp)
    except (RenderError, KeyError) as exc:
        raise TemplatesUnavailable(str(exc)) from exc


def _structure(draft: Draft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "templates": list(draft.templates),
        "fields": [dataclasses.asdict(f) for f in draft.fields],
        "checklist": [dataclasses.asdict(f) for f in draft.checklist],
        "proposals": [dataclasses.asdict(p) for p in draft.proposals],
        "dropped": list(draft.dropped),
    }


def generate(db: Session, q: Questionnaire, response: Response, actor: str) -> SowRevision:
    """Pre-fill the response's SoW: a new draft, or a new revision of the existing one."""
    engagement = response.engagement
    draft_doc = build_draft(q, response, engagement)
    draft = db.execute(
        select(SowDraft).where(SowDraft.response_id == response.id)
    ).scalar_one_or_none()
    if draft is None:
        draft = SowDraft(engagement_id=engagement.id, response_id=response.id, prefill={})
        db.add(draft)
        db.flush()
    draft.prefill = _structure(draft_doc)
    revision = _add_revision(
        db, draft, draft_doc.markdown(), actor, "Pre-filled from the questionnaire"
    )
    audit.record(
        db, actor, "sow.generate", engagement_id=engagement.id, response_id=response.id,
        revision=revision.number, placeholders=len(draft_doc.checklist),
    )  # fmt: skip
    db.commit()
    return revision


def _draft_for(db: Session, response: Response) -> SowDraft | None:
    return db.execute(
        select(SowDraft).where(SowDraft.response_id == response.id)
    ).scalar_one_or_none()


def draft_of(db: Session, engagement: Engagement) -> SowDraft | None:
    """The SoW draft of the engagement's response, if it has been pre-filled."""
    return _draft_for(db, engagement.responses[-1]) if engagement.responses else None


def _add_revision(
    db: Session, draft: SowDraft, markdown: str, author: str, note: str | None
) -> SowRevision:
    number = (
        db.scalar(select(func.max(SowRevision.number)).where(SowRevision.draft_id == draft.id)) or 0
    ) + 1
    revision = SowRevision(
        draft_id=draft.id, number=number, markdown=markdown, author=author, note=note
    )
    db.add(revision)
    db.flush()
    return revision


def save_revision(
    db: Session,
    draft: SowDraft,
    markdown: str,
    author: str,
    edited_from: int,
    note: str | None = None,
) -> SowRevision:
    """A new revision, if ``edited_from`` is still the latest; else :class:`RevisionConflict`."""
    current = (
        db.scalar(select(func.max(SowRevision.number)).where(SowRevision.draft_id == draft.id)) or 0
    )
    if current != edited_from:
        raise RevisionConflict
    revision = SowRevision(
        draft_id=draft.id,
        number=current + 1,
        markdown=markdown.replace("\r\n", "\n"),
        author=author,
        note=note,
    )
    db.add(revision)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise RevisionConflict from None
    audit.record(
        db, author, "sow.save", engagement_id=draft.engagement_id, revision=revision.number
    )
    db.commit()
    return revision


def mark_sent(db: Session, revision: SowRevision, actor: str) -> None:
    if revision.sent_at is None:
        revision.sent_at = utcnow()
        audit.record(
            db,
            actor,
            "sow.sent",
            engagement_id=revision.draft.engagement_id,
            revision=revision.number,
        )
        db.commit()


@dataclass(frozen=True)
class RequestOutcome:
    count: int

    @property
    def over_limit(self) -> bool:
        return self.count > REVISIONS_ALLOWED


def record_request(db: Session, draft: SowDraft, note: str, actor: str) -> RequestOutcome:
    sent = [r for r in draft.revisions if r.sent_at is not None]
    request = RevisionRequest(
        draft_id=draft.id, revision_id=sent[-1].id if sent else None, note=note, recorded_by=actor
    )
    db.add(request)
    audit.record(db, actor, "sow.revision_request", engagement_id=draft.engagement_id)
    db.commit()
    count = db.scalar(select(func.count()).where(RevisionRequest.draft_id == draft.id)) or 0
    return RequestOutcome(count)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "context" or "hunk"
    text: str


def diff(older: SowRevision, newer: SowRevision) -> list[DiffLine]:
    lines = difflib.unified_diff(
        older.markdown.splitlines(), newer.markdown.splitlines(),
        f"revision {older.number}", f"revision {newer.number}", lineterm="", n=2,
    )  # fmt: skip
    result = []
    for line in list(lines)[2:]:
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
        result.append(DiffLine(kind, line))
    return result
