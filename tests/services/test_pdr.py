"""The Project Detail Record's use cases: made from the accepted SoW, edited row by row with
revisions and optimistic locking, exported by the worker."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.delivery.pdr import PROPOSED
from questionnaire.services import pdr_desk, pdr_exports
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.delivery import PdrExport
from questionnaire.store.models import AuditEvent, ExportStatus

from .factories import Factory
from .pdr_support import accepted
from .sow_support import ENGINEER, drafted, run

WEB = {"name": "web", "vip": "10.0.0.10", "ports": "80, 443", "protocol": "https"}


def test_no_pdr_before_the_customer_accepts_the_sow(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = drafted(make, db, services, database)
    with pytest.raises(pdr_desk.NoAcceptedSow):
        pdr_desk.create(db, engagement_id, ENGINEER)
    assert pdr_desk.workspace(db, engagement_id) is None


def test_the_pdr_starts_from_the_accepted_sow_once(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    made = pdr_desk.create(db, engagement_id, ENGINEER)
    again = pdr_desk.create(db, engagement_id, ENGINEER)
    assert again.id == made.id and len(made.revisions) == 1
    first = made.revisions[0]
    assert (first.number, first.author, first.note) == (
        1,
        ENGINEER,
        "Made from revision 1 of the SoW",
    )
    [service] = first.content["virtual_services"]
    assert (service["name"], service["protocol"]) == ("PACS", "tcp")
    assert service[PROPOSED]["name"] == "the customer's answer"
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.engagement_id == engagement_id))
    assert "pdr.create" in list(actions)
    queued = db.scalars(select(PdrExport.format).where(PdrExport.revision_id == first.id)).all()
    assert sorted(queued) == ["docx", "html", "pdf"]


def test_each_row_edit_is_a_revision_with_its_author_and_what_changed(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    second = pdr_desk.save_row(db, engagement_id, "virtual_services.new", WEB, 1, ENGINEER)
    assert (second.number, second.note) == (2, "Added virtual service “web”")
    third = pdr_desk.save_row(
        db, engagement_id, "virtual_services.1.real_servers.new", {"address": "10.0.1.1"}, 2,
        ENGINEER,
    )  # fmt: skip
    assert third.content["virtual_services"][1]["real_servers"] == [{"address": "10.0.1.1"}]
    # Saving the customer's service confirms it: its proposed marks go.
    fourth = pdr_desk.save_row(db, engagement_id, "virtual_services.0", {"name": "PACS"}, 3,
                               ENGINEER)  # fmt: skip
    assert PROPOSED not in fourth.content["virtual_services"][0]
    fifth = pdr_desk.remove_row(db, engagement_id, "virtual_services.0", 4, ENGINEER)
    assert [s["name"] for s in fifth.content["virtual_services"]] == ["web"]
    assert fifth.note == "Removed virtual service “PACS”"
    # Every revision is kept as it was.
    assert [len(r.content["virtual_services"]) for r in fifth.pdr.revisions] == [1, 2, 2, 2, 1]


def test_a_stale_page_gets_a_conflict_and_nothing_is_saved(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    pdr_desk.save_row(db, engagement_id, "virtual_services.new", WEB, 1, ENGINEER)
    with pytest.raises(pdr_desk.RevisionConflict):
        pdr_desk.save_row(db, engagement_id, "ha.new", {"name": "lb1"}, 1, ENGINEER)
    with pytest.raises(pdr_desk.RevisionConflict):
        pdr_desk.remove_row(db, engagement_id, "virtual_services.0", 1, ENGINEER)
    assert pdr_desk.the_pdr(db, engagement_id).revisions[-1].number == 2


def test_a_refused_row_says_why_per_field_and_saves_nothing(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    typed = {**WEB, "vip": "10.0.0.999"}
    with pytest.raises(pdr_desk.RowInvalid) as refused:
        pdr_desk.save_row(db, engagement_id, "virtual_services.new", typed, 1, ENGINEER)
    assert refused.value.errors == {"vip": "Enter an IP address, like 192.0.2.10 or 2001:db8::10"}
    assert refused.value.typed == typed
    with pytest.raises(pdr_desk.RowInvalid) as twin:
        pdr_desk.save_row(db, engagement_id, "virtual_services.new", {"name": "pacs"}, 1, ENGINEER)
    assert twin.value.errors == {"name": "Give each virtual service its own name"}
    with pytest.raises(pdr_desk.Refused):
        pdr_desk.save_row(db, engagement_id, "virtual_services.7", WEB, 1, ENGINEER)
    assert len(pdr_desk.the_pdr(db, engagement_id).revisions) == 1


def test_exports_are_made_by_the_worker_and_markdown_on_request(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    second = pdr_desk.save_row(db, engagement_id, "virtual_services.new", WEB, 1, ENGINEER)
    run(services, database)
    db.rollback()
    revision = pdr_desk.revision(db, engagement_id, 2)
    assert pdr_exports.states(db, revision) == {"pdf": None, "docx": None, "html": None}
    found = pdr_exports.find(services.settings, db, revision, "pdf")
    assert isinstance(found, pdr_exports.Ready) and found.path.read_bytes().startswith(b"%PDF")
    assert found.filename == "PDR-Acme-Health-r2.pdf"
    markdown = pdr_exports.find(services.settings, db, revision, "md")
    assert isinstance(markdown, pdr_exports.Inline)
    assert markdown.body.startswith(b"# Project Detail Record for Acme Health")
    assert b"| web | 10\\.0.0.10 | 80, 443 | HTTPS |" in markdown.body
    html = pdr_exports.find(services.settings, db, revision, "html")
    assert isinstance(html, pdr_exports.Ready) and b"PACS" in html.path.read_bytes()
    assert second.id == revision.id
    statuses = db.scalars(select(PdrExport.status)).all()
    assert set(statuses) == {ExportStatus.READY}


def test_markup_typed_into_the_pdr_stays_text_in_every_export(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    engagement_id = accepted(make, db, services, database)
    pdr_desk.create(db, engagement_id, ENGINEER)
    hostile = {"name": "<script>alert(1)</script>", "health_check": "<img src=x onerror=alert(2)>"}
    pdr_desk.save_row(db, engagement_id, "virtual_services.new", hostile, 1, ENGINEER)
    pdr_desk.save_row(db, engagement_id, "sections.new",
                      {"title": "[link](javascript:alert(3))", "text": "<b>bold</b>"}, 2,
                      ENGINEER)  # fmt: skip
    run(services, database)
    db.rollback()
    revision = pdr_desk.revision(db, engagement_id, 3)
    html = pdr_exports.find(services.settings, db, revision, "html")
    assert isinstance(html, pdr_exports.Ready)
    body = html.path.read_text(encoding="utf-8")
    assert "<script>alert" not in body and "<img" not in body and "<b>bold" not in body
    assert 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    markdown = pdr_exports.find(services.settings, db, revision, "md")
    assert isinstance(markdown, pdr_exports.Inline)
    assert b"\\<script\\>" in markdown.body
