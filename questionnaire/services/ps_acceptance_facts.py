"""What the Customer PS Acceptance Document says, read from the engagement's records.

Each part comes from where it is kept: the engagement and its handover facts (days sold), the
accepted Statement of Work (its scope sections, quoted as the Markdown they are), the Project
Detail Record's latest revision (the virtual services as built), the functional tests, and the
customer's submitted validation questionnaire. A part with nothing recorded yet is empty, and
the document says so; nothing here fails for a record that does not exist yet.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.delivery.pdr import display_value
from questionnaire.delivery.pdr_spec import VIRTUAL_SERVICES
from questionnaire.engine.answers import display
from questionnaire.engine.flow_state import FlowResult, ShownQuestion
from questionnaire.store.delivery import Pdr
from questionnaire.store.models import (
    Engagement,
    Response,
    ResponseStatus,
    SowDraft,
    SowRevision,
)
from questionnaire.store.reviews import Acceptance
from sow_prefill.markdown_text import MarkdownText

from . import closeout_facts
from .context import Context
from .document_kinds import SOW

#: The SoW's sections the document quotes: what was agreed.
AGREED_SECTIONS = ("Scope", "Out of scope", "Deliverables")
VALIDATION_DEFINITION = "validation"
#: The virtual services' columns the document shows: enough to recognise each one.
SERVICE_COLUMNS = ("name", "vip", "ports", "protocol", "mode")
_HEADING = re.compile(r"^#{3,5}\s")


def values_of(db: Session, context: Context, engagement: Engagement) -> dict[str, Any]:
    """The template's values (see ``templates/documents/ps_acceptance.md``)."""
    accepted = _sow_acceptance(db, engagement.id)
    pdr_revision, services = _virtual_services(db, engagement.id)
    validation, submitted = _validation(db, context, engagement.id)
    contact = ", ".join(v for v in (engagement.contact_name, engagement.contact_email) if v)
    return {
        "customer": engagement.customer, "project": engagement.project,
        "engagement_id": engagement.id, "contact": contact,
        "engineer": engagement.engineer.name if engagement.engineer else None,
        "sow_revision": accepted.revision.number if accepted else None,
        "sow_accepted_by": accepted.full_name if accepted else None,
        "sow_accepted_on": f"{accepted.accepted_at:%-d %B %Y}" if accepted else None,
        "days_sold": (engagement.facts or {}).get("ps_days_sold") or None,
        "sow_sections": _agreed(accepted.revision if accepted else None),
        "virtual_services": services, "pdr_revision": pdr_revision,
        "tests": functional_tests(db, engagement.id),
        "validation": validation, "validation_submitted": submitted,
    }  # fmt: skip


def _sow_acceptance(db: Session, engagement_id: int) -> Acceptance | None:
    return db.scalars(
        select(Acceptance)
        .join(SowDraft, SowDraft.id == Acceptance.draft_id)
        .where(SowDraft.engagement_id == engagement_id, SowDraft.kind == SOW.name)
        .order_by(Acceptance.id.desc())
        .limit(1)
    ).first()


def _agreed(revision: SowRevision | None) -> list[dict[str, Any]]:
    if revision is None:
        return []
    found = sections_by_title(revision.markdown)
    return [
        {"title": title, "text": MarkdownText(found[title])}
        for title in AGREED_SECTIONS
        if found.get(title)
    ]


def sections_by_title(markdown: str) -> dict[str, str]:
    """The text under each level-two heading, its own headings one level down (it is quoted
    under a level-three heading). Our own SoW's Markdown: its values are escaped already."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.startswith("# "):
            current = None
        elif current is not None:
            current.append("#" + line if _HEADING.match(line) else line)
    return {title: "\n".join(lines).strip() for title, lines in sections.items()}


def _virtual_services(db: Session, engagement_id: int) -> tuple[int | None, list[dict[str, str]]]:
    pdr = db.scalars(select(Pdr).where(Pdr.engagement_id == engagement_id)).first()
    if pdr is None or not pdr.revisions:
        return None, []
    latest = pdr.revisions[-1]
    rows = latest.content.get(VIRTUAL_SERVICES.key)
    columns = {column.key: column for column in VIRTUAL_SERVICES.columns}
    services = [
        {key: display_value(columns[key], row.get(key)) for key in SERVICE_COLUMNS}
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict)
    ]
    return latest.number, services


def functional_tests(db: Session, engagement_id: int) -> list[dict[str, str]]:
    """The engagement's functional tests and their results, oldest first, as the document words
    them (read by close-out's one reader, ``closeout_facts.functional_tests``)."""
    return [
        {
            "target": test.target_name,
            "what": test.what_tested,
            "expected": test.expected,
            "actual": test.actual,
            "outcome": "Pass" if test.passed else "Fail",
            "tested_on": f"{test.tested_on:%-d %b %Y}" if test.tested_on else "",
        }
        for test in closeout_facts.functional_tests(db, engagement_id)
    ]


def _validation(
    db: Session, context: Context, engagement_id: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The submitted validation questionnaire's answers, page by page, and when it came."""
    response = db.scalars(
        select(Response).where(
            Response.engagement_id == engagement_id,
            Response.definition_id == VALIDATION_DEFINITION,
            Response.status == ResponseStatus.SUBMITTED,
        )
    ).first()
    if response is None:
        return [], None
    questionnaire = context.definitions.by_hash(db, response.definition_sha256)
    flow = context.flows.flow_of(questionnaire, response)
    submitted = f"{response.submitted_at:%-d %B %Y}" if response.submitted_at else None
    return _pages(flow), submitted


def _pages(flow: FlowResult) -> list[dict[str, Any]]:
    pages = []
    for page_id in flow.path:
        state = flow.pages[page_id]
        answers = [a for shown in state.questions for a in _answers(shown)]
        if answers:
            pages.append({"title": state.title, "answers": answers})
    return pages


def _answers(shown: ShownQuestion) -> list[dict[str, str]]:
    """One line per answer; a repeating group's records one line each, under their heading."""
    if shown.records:
        return [
            {
                "label": f"{heading}:" if heading else f"{shown.label} {n}:",
                "value": "; ".join(
                    f"{field.label} {display(field.question, field.value)}"
                    for field in record
                    if field.value is not None
                ),
            }
            for n, (record, heading) in enumerate(_with_headings(shown), start=1)
        ]
    if shown.value is None:
        return []
    return [{"label": shown.label, "value": display(shown.question, shown.value)}]


def _with_headings(shown: ShownQuestion) -> list[tuple[tuple[ShownQuestion, ...], str]]:
    headings = list(shown.headings) + [""] * (len(shown.records) - len(shown.headings))
    return list(zip(shown.records, headings, strict=False))
