"""Engagement files: attached by content-checked upload, refused with a message, removed."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from questionnaire.services import engagement_files, uploads
from questionnaire.services.context import Context
from questionnaire.services.engagement_files import AttachForm, InvalidAttachment
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.db import Database
from questionnaire.store.files import EngagementFile
from questionnaire.store.models import AuditEvent

from .factories import Factory
from .files_support import LOG, PDF, PNG, Incoming, support_download, zipped


def _attach(db: Session, services: Context, engagement_id: int, incoming: Incoming,
            source: str = "customer", description: str = "") -> EngagementFile:  # fmt: skip
    form = AttachForm(incoming, source, description)
    return engagement_files.attach(db, services.settings, engagement_id, form, "eng@example.com")


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("lbsupport.tar.gz", support_download(), "targz"),
        ("bundle.zip", zipped(**{"logs/syslog": LOG}), "zip"),
        ("design.pdf", PDF, "pdf"),
        ("screen.png", PNG, "png"),
        ("haproxy.log", LOG, "txt"),
    ],
)
def test_attach_keeps_the_file_and_records_who(
    db: Session, services: Context, make: Factory, name: str, data: bytes, kind: str
) -> None:
    engagement = make.engagement()
    row = _attach(db, services, engagement.id, Incoming(name, data), description=" From the call ")
    db.expire_all()
    kept = db.get(EngagementFile, row.id)
    assert kept is not None
    assert (kept.original_name, kept.kind, kept.size) == (name, kind, len(data))
    assert (kept.source, kept.description, kept.uploaded_by) == (
        "customer", "From the call", "eng@example.com"
    )  # fmt: skip
    assert engagement_files.path_of(services.settings, kept).read_bytes() == data
    assert len(kept.id) == 32 and kept.id != name
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "files.attach")).one()
    assert event.engagement_id == engagement.id and event.detail["file"] == kept.id


@pytest.mark.parametrize(
    ("incoming", "message"),
    [
        (Incoming("page.html", b"<!doctype html><script>alert(1)</script>"), "must be a PDF"),
        (Incoming("plain.gz", gzip.compress(b"not a tar archive" * 40)), "must be a PDF"),
        (Incoming("empty.txt", b""), "The selected file is empty"),
        (Incoming("", b""), "Select a file"),
    ],
)
def test_bad_files_are_refused_with_a_message(
    db: Session, services: Context, make: Factory, incoming: Incoming, message: str
) -> None:
    engagement = make.engagement()
    with pytest.raises(InvalidAttachment) as refused:
        _attach(db, services, engagement.id, incoming)
    assert message in refused.value.errors["file"]
    assert db.scalars(select(EngagementFile)).all() == []
    assert _stored(services) == []


def test_the_refusal_names_every_accepted_kind(
    db: Session, services: Context, make: Factory
) -> None:
    engagement = make.engagement()
    with pytest.raises(InvalidAttachment) as refused:
        _attach(db, services, engagement.id, Incoming("a.docx", b"\x00\x01binary"))
    assert refused.value.errors["file"] == (
        "The selected file must be a PDF, PNG image, JPEG image, GIF image, text file, CSV file,"
        " ZIP archive or compressed tar archive (.tar.gz)"
    )


def test_oversize_files_are_refused(db: Session, services: Context, make: Factory) -> None:
    settings = replace(services.settings, engagement_file_max_mb=1)
    engagement = make.engagement()
    form = AttachForm(Incoming("big.log", b"x" * (1024 * 1024 + 1)), "engineer")
    with pytest.raises(InvalidAttachment) as refused:
        engagement_files.attach(db, settings, engagement.id, form, "eng@example.com")
    assert refused.value.errors == {"file": "The selected file must be smaller than 1 MB"}
    assert _stored(services) == []
    exactly = AttachForm(Incoming("max.log", b"x" * (1024 * 1024)), "engineer")
    assert engagement_files.attach(db, settings, engagement.id, exactly, "e").size == 1024 * 1024


def test_source_and_description_are_checked_before_the_file_is_kept(
    db: Session, services: Context, make: Factory
) -> None:
    engagement = make.engagement()
    with pytest.raises(InvalidAttachment) as refused:
        _attach(
            db, services, engagement.id, Incoming("a.pdf", PDF), source="", description="d" * 501
        )
    assert refused.value.errors == {
        "source": "Select where the file came from",
        "description": "Description must be 500 characters or fewer",
    }
    assert _stored(services) == []


def test_remove_deletes_the_row_and_the_file(db: Session, services: Context, make: Factory) -> None:
    engagement = make.engagement()
    row = _attach(db, services, engagement.id, Incoming("wrong.pdf", PDF))
    other = _attach(db, services, engagement.id, Incoming("right.pdf", PDF))
    path = engagement_files.path_of(services.settings, row)
    assert (
        engagement_files.remove(db, services.settings, engagement.id, row.id, "lead") == "wrong.pdf"
    )
    assert not path.exists()
    assert [f.id for f in engagement_files.files_of(db, engagement.id)] == [other.id]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "files.remove")).one()
    assert (event.actor, event.detail["name"]) == ("lead", "wrong.pdf")


def test_a_file_is_found_only_through_its_own_engagement(
    db: Session, services: Context, make: Factory
) -> None:
    mine, theirs = make.engagement(), make.engagement("Other")
    row = _attach(db, services, mine.id, Incoming("a.pdf", PDF))
    with pytest.raises(NotFound):
        engagement_files.file_of(db, theirs.id, row.id)
    with pytest.raises(NotFound):
        engagement_files.remove(db, services.settings, theirs.id, row.id, "x")
    with pytest.raises(NotFound):
        engagement_files.file_of(db, mine.id, "../" + row.id)


def test_the_interface_for_other_use_cases_commits_nothing_itself(
    db: Session, services: Context, make: Factory
) -> None:
    engagement = make.engagement()
    staged = engagement_files.stage_file(services.settings, Incoming("evidence.png", PNG))
    assert isinstance(staged, engagement_files.StagedFile)
    row = engagement_files.keep_file(db, engagement.id, staged, actor="e", source="engineer")
    assert engagement_files.path_of(services.settings, row).exists()
    db.rollback()
    engagement_files.discard(services.settings, staged)
    assert db.scalars(select(EngagementFile)).all() == []
    assert _stored(services) == []


def test_the_upload_sweep_keeps_engagement_files(
    db: Session, services: Context, make: Factory
) -> None:
    engagement = make.engagement()
    row = _attach(db, services, engagement.id, Incoming("a.pdf", PDF))
    assert uploads.sweep(services.settings, db, older_than=timedelta(seconds=-60)) == 0
    assert engagement_files.path_of(services.settings, row).exists()


def _stored(services: Context) -> list[str]:
    folder = services.settings.upload_dir
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_a_file_deleted_meanwhile_is_not_found_rather_than_failing(
    db: Session, services: Context, make: Factory, database_url: str
) -> None:
    engagement = make.engagement()
    row = _attach(db, services, engagement.id, Incoming("wrong.pdf", PDF))
    other = Database(database_url)
    with other.session() as elsewhere:  # another tab, or the purge, got there first
        elsewhere.execute(delete(EngagementFile).where(EngagementFile.id == row.id))
        elsewhere.commit()
    other.dispose()
    with pytest.raises(NotFound):
        engagement_files.remove(db, services.settings, engagement.id, row.id, "eng")
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "files.remove")).all() == []
