"""Functional tests and the customer handover document: recorded with their evidence, refused
field by field, and the document refused while an agreed service has no passing test."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import (
    functional_tests,
    handover_document,
    handover_exports,
    handover_targets,
    pdr_desk,
)
from questionnaire.services.context import Context
from questionnaire.services.exports import Ready
from questionnaire.services.functional_tests import FunctionalTestForm, InvalidTest
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.db import Database
from questionnaire.store.files import EngagementFile
from questionnaire.store.handover import FunctionalTest, HandoverExport
from questionnaire.store.models import AuditEvent, SowDraft

from .factories import Factory
from .files_support import PNG, Incoming
from .pdr_support import accepted
from .sow_support import ENGINEER, run

PACS = "virtual_service:PACS"


def _form(**changes: object) -> FunctionalTestForm:
    values: dict[str, object] = {
        "target": PACS, "what_tested": "Sent a study from the modality", "expected": "It arrives",
        "actual": "It arrived", "outcome": "pass", "tested_on": "2026-12-01", **changes,
    }  # fmt: skip
    return FunctionalTestForm(**values)  # type: ignore[arg-type]


def _ready(make: Factory, db: Session, services: Context, database: Database) -> int:
    """An engagement with an accepted SoW (one service, PACS) and its PDR."""
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    return engagement_id


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_checklist_lists_the_services_agreed_in_the_sow(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    state = handover_targets.checklist(db, engagement_id)
    assert [(t.kind, t.name) for t in state.agreed] == [("virtual_service", "PACS")]
    assert state.missing == state.agreed and state.items[0].latest is None


def test_every_refusal_names_its_field_and_nothing_is_saved(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    with pytest.raises(InvalidTest) as refused:
        functional_tests.record(db, services.settings, engagement_id, FunctionalTestForm(),
                                ENGINEER)  # fmt: skip
    assert list(refused.value.errors) == [
        "target", "what_tested", "expected", "actual", "outcome", "tested_on"
    ]  # fmt: skip
    bad = _form(target="virtual_service:elsewhere", outcome="maybe", tested_on="2026-02-30")
    with pytest.raises(InvalidTest) as refused:
        functional_tests.record(db, services.settings, engagement_id, bad, ENGINEER)
    assert refused.value.errors["target"].startswith("Select the virtual service")
    assert refused.value.errors["outcome"] == "Select pass if the test passed, or fail"
    assert "tested_on" in refused.value.errors
    assert db.scalar(select(func.count()).select_from(FunctionalTest)) == 0


def test_evidence_is_kept_as_an_engagement_file_with_the_test(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    form = _form(evidence=Incoming("viewer.png", PNG))
    test = functional_tests.record(db, services.settings, engagement_id, form, ENGINEER)
    kept = db.get(EngagementFile, test.evidence_file_id)
    assert kept is not None and kept.original_name == "viewer.png" and kept.kind == "png"
    assert (services.settings.upload_dir / kept.id).read_bytes() == PNG
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "tests.record")).one()
    assert event.detail["evidence"] == kept.id and event.detail["target"] == PACS
    # The file is purged (retention): the test keeps its result, without the link.
    db.delete(kept)
    db.commit()
    db.expire_all()
    assert db.get(FunctionalTest, test.id).evidence_file_id is None  # type: ignore[union-attr]


def test_refused_evidence_keeps_nothing(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    form = _form(evidence=Incoming("empty.png", b""))
    with pytest.raises(InvalidTest) as refused:
        functional_tests.record(db, services.settings, engagement_id, form, ENGINEER)
    assert refused.value.errors == {"evidence": "The selected file is empty"}
    assert db.scalar(select(func.count()).select_from(FunctionalTest)) == 0
    folder: Path = services.settings.upload_dir
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_a_test_is_changed_and_removed_with_audit_entries(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    test = functional_tests.record(db, services.settings, engagement_id, _form(), ENGINEER)
    changed = functional_tests.change(db, services.settings, engagement_id, test.id,
                                      _form(outcome="fail", actual="Timed out"), ENGINEER)  # fmt: skip
    assert (changed.outcome, changed.actual) == ("fail", "Timed out")
    functional_tests.remove(db, engagement_id, test.id, ENGINEER)
    assert db.scalar(select(func.count()).select_from(FunctionalTest)) == 0
    assert [a for a in _actions(db) if a.startswith("tests.")] == [
        "tests.record", "tests.change", "tests.remove"
    ]  # fmt: skip
    with pytest.raises(NotFound):
        functional_tests.remove(db, engagement_id, test.id, ENGINEER)


def test_the_document_is_refused_until_every_agreed_service_passes(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    with pytest.raises(handover_document.TestsMissing) as refused:
        handover_document.issue(db, engagement_id, ENGINEER)
    assert "Virtual service PACS" in str(refused.value)
    functional_tests.record(db, services.settings, engagement_id, _form(outcome="fail"), ENGINEER)
    with pytest.raises(handover_document.TestsMissing):
        handover_document.issue(db, engagement_id, ENGINEER)
    form = _form(evidence=Incoming("study.png", PNG))
    functional_tests.record(db, services.settings, engagement_id, form, ENGINEER)
    first = handover_document.issue(db, engagement_id, ENGINEER)
    second = handover_document.issue(db, engagement_id, ENGINEER)
    assert (first.number, second.number, first.pdr_revision) == (1, 2, 1)
    assert "## Virtual services" in first.markdown and "| Pass | 2026-12-01 | study.png |" in (
        first.markdown
    )
    assert _actions(db).count("handover.issue") == 2
    formats = db.scalars(
        select(HandoverExport.format).where(HandoverExport.document_id == first.id)
    )
    assert sorted(formats) == ["docx", "html", "pdf"]
    run(services, database)
    db.rollback()  # end this session's snapshot: see what the worker made
    found = handover_exports.find(services.settings, db, first, "pdf")
    assert isinstance(found, Ready) and found.path.read_bytes()[:4] == b"%PDF"


def test_gslb_agreed_in_the_sow_needs_its_own_passing_test(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = _ready(make, db, services, database)
    draft = db.scalars(select(SowDraft).where(SowDraft.engagement_id == engagement_id)).one()
    fields = [
        *draft.prefill.get("fields", []),
        {"key": "needs_gslb", "provenance": {"value": True}},
    ]
    draft.prefill = {**draft.prefill, "fields": fields}
    db.commit()
    functional_tests.record(db, services.settings, engagement_id, _form(), ENGINEER)
    with pytest.raises(handover_document.TestsMissing) as refused:
        handover_document.issue(db, engagement_id, ENGINEER)
    assert [t.label for t in refused.value.missing] == ["The GSLB configuration"]
    gslb = _form(target="gslb:GSLB configuration", what_tested="Stopped site A")
    functional_tests.record(db, services.settings, engagement_id, gslb, ENGINEER)
    assert "### The GSLB configuration (agreed in the SoW)" in (
        handover_document.issue(db, engagement_id, ENGINEER).markdown
    )
