"""The machine-readable record of a completed engagement: versioned JSON, and CSV of the same.

:func:`build` is pure: the record is a function of what close-out read (:class:`RecordInput`)
and the site's address, so the download, the webhook's body and a test all get the same bytes.
``record_version`` names the record's shape: a field added keeps it, a field renamed or removed
raises it, so a receiver can tell what it reads. The CSV is one row of the same fields (lists
joined with "; "); a value a spreadsheet would run as a formula starts with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .closeout_facts import Facts

RECORD_VERSION = 1
DOCUMENT_FORMATS = ("pdf", "docx", "md")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SessionInput:
    held_on: date
    engineer: str
    days_used: float | None
    complete: bool


@dataclass(frozen=True)
class FunctionalTestInput:
    target_kind: str
    target_name: str
    passed: bool


@dataclass(frozen=True)
class RecordInput:
    engagement_id: int
    customer: str
    project: str | None
    engineer: str | None
    handed_over_at: datetime
    completed_at: datetime | None
    accepted_by: str | None
    days_sold: float | None
    sessions: tuple[SessionInput, ...]
    services: tuple[str, ...]
    tests: tuple[FunctionalTestInput, ...]


def input_of(facts: Facts) -> RecordInput:
    engagement = facts.engagement
    return RecordInput(
        engagement_id=engagement.id, customer=engagement.customer, project=engagement.project,
        engineer=facts.engineer, handed_over_at=engagement.created_at,
        completed_at=facts.completed_at,
        accepted_by=facts.completion.accepted_by if facts.completion else None,
        days_sold=facts.days_sold,
        sessions=tuple(SessionInput(s.held_on, s.engineer_name, s.days_used, s.complete)
                       for s in facts.sessions),
        services=tuple(facts.services_delivered),
        tests=tuple(FunctionalTestInput(t.target_kind, t.target_name, t.passed) for t in facts.tests),
    )  # fmt: skip


def build(record: RecordInput, base_url: str) -> dict[str, Any]:
    """The record as JSON-ready values (pure)."""
    used = sum(s.days_used or 0 for s in record.sessions)
    page = f"{base_url.rstrip('/')}/e/engagements/{record.engagement_id}"
    return {
        "record_version": RECORD_VERSION,
        "engagement_id": record.engagement_id,
        "customer": record.customer,
        "project": record.project,
        "engineer": record.engineer,
        "dates": {
            "handed_over": record.handed_over_at.date().isoformat(),
            "completed": record.completed_at.isoformat() if record.completed_at else None,
        },
        "accepted_by": record.accepted_by,
        "days": {"sold": record.days_sold, "used": float(used)},
        "sessions": [
            {
                "held_on": s.held_on.isoformat(),
                "engineer": s.engineer,
                "days_used": s.days_used,
                "complete": s.complete,
            }
            for s in record.sessions
        ],
        "services_delivered": list(record.services),
        "tests": {
            "passed": sum(1 for t in record.tests if t.passed),
            "total": len(record.tests),
            "results": [
                {"target_kind": t.target_kind, "target": t.target_name, "passed": t.passed}
                for t in record.tests
            ],
        },
        "documents": {
            f"support_handover_{fmt}": f"{page}/support-handover.{fmt}" for fmt in DOCUMENT_FORMATS
        },
    }


def to_json(built: dict[str, Any]) -> str:
    """The record's bytes as text: keys in a fixed order, so equal records are equal bytes."""
    return json.dumps(built, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


CSV_COLUMNS = (
    "record_version", "engagement_id", "customer", "project", "engineer", "handed_over",
    "completed", "accepted_by", "days_sold", "days_used", "sessions", "services_delivered",
    "tests_passed", "tests_total", "documents",
)  # fmt: skip


def csv_row(built: dict[str, Any]) -> dict[str, str]:
    """The record's fields flattened, one value each (lists joined with "; ")."""
    return {
        "record_version": str(built["record_version"]),
        "engagement_id": str(built["engagement_id"]),
        "customer": built["customer"], "project": built["project"] or "",
        "engineer": built["engineer"] or "",
        "handed_over": built["dates"]["handed_over"],
        "completed": built["dates"]["completed"] or "",
        "accepted_by": built["accepted_by"] or "",
        "days_sold": _number(built["days"]["sold"]), "days_used": _number(built["days"]["used"]),
        "sessions": str(len(built["sessions"])),
        "services_delivered": "; ".join(built["services_delivered"]),
        "tests_passed": str(built["tests"]["passed"]), "tests_total": str(built["tests"]["total"]),
        "documents": "; ".join(built["documents"].values()),
    }  # fmt: skip


def to_csv(built: dict[str, Any]) -> str:
    """A header and one row; text a spreadsheet would take for a formula is quoted with "'"."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow({name: _inert(value) for name, value in csv_row(built).items()})
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _inert(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value
