"""The end of issue 11's "Done when": a purge run with the clock moved past the retention period
deletes the files of a completed engagement and keeps those of one on hold.

The engineer attaches a file to a second completed engagement and puts it on hold in the
browser; the purge is the worker's use case, run with ``now`` a year and a day on.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from questionnaire.services import links, retention
from questionnaire.store import db
from questionnaire.store.files import EngagementFile
from questionnaire.store.models import PipelineStage, Response, Upload, utcnow

from .conftest import LiveServer

HELD = "Heldmoor Health"


def purge_a_year_on(server: LiveServer, page: Page, completed_id: int) -> None:
    held_id = _completed_engagement(server, HELD)
    page.goto(f"{server.url}/e/engagements/{completed_id}/files")
    expect(
        page.get_by_role("link", name="failover-test.pdf")
    ).to_be_visible()  # the test's evidence
    expect(
        page.get_by_role("link", name="support.txt")
    ).to_be_visible()  # the customer's support download
    _attach_and_hold(page, server.url, held_id)
    before = _stored(server, completed_id), _stored(server, held_id)
    assert all(path.exists() for paths in before for path in paths) and all(before)

    settings = server.app.extensions["services"].settings
    with server.app.app_context():
        purged = retention.purge(db.session(), settings, now=utcnow() + timedelta(days=366))
    assert [p.engagement_id for p in purged] == [completed_id]

    assert _stored(server, completed_id) == [] and not any(p.exists() for p in before[0])
    assert _stored(server, held_id) == before[1] and all(p.exists() for p in before[1])
    page.goto(f"{server.url}/e/engagements/{completed_id}/files")
    expect(page.get_by_role("link", name="failover-test.pdf")).to_have_count(0)


def _completed_engagement(server: LiveServer, customer: str) -> int:
    with server.app.app_context():
        session = db.session()
        engagement = links.create_engagement(session, customer, "sam.sales@lb.example")
        engagement.pipeline_stage, engagement.stage_since = PipelineStage.COMPLETE, utcnow()
        session.commit()
        return engagement.id


def _attach_and_hold(page: Page, base: str, engagement_id: int) -> None:
    page.goto(f"{base}/e/engagements/{engagement_id}/files")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "config-backup.txt", "mimeType": "text/plain", "buffer": b"backup\n"}
    )
    page.get_by_label("From us").check()
    page.get_by_role("button", name="Add the file").click()
    expect(page.get_by_role("link", name="config-backup.txt")).to_be_visible()
    page.get_by_label("Why the files must be kept").fill("The customer disputes an invoice")
    page.get_by_role("button", name="Put the files on hold").click()
    expect(page.get_by_text("On hold: not deleted").first).to_be_visible()


def _stored(server: LiveServer, engagement_id: int) -> list[Path]:
    """Where the engagement's files are on disk: attached ones and questionnaire uploads."""
    settings = server.app.extensions["services"].settings
    with server.app.app_context():
        session = db.session()
        attached = session.scalars(
            select(EngagementFile.id).where(EngagementFile.engagement_id == engagement_id)
        ).all()
        uploaded = session.scalars(
            select(Upload.id).join(Response).where(Response.engagement_id == engagement_id)
        ).all()
    return sorted(settings.upload_dir / name for name in (*attached, *uploaded))
