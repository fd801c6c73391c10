"""An engineer signs in, opens a submitted engagement, finishes its pre-filled SoW and downloads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from questionnaire.engine import evaluate
from questionnaire.services import accounts, journey
from questionnaire.store import db

from .conftest import ROOT, LiveServer, PageFor

pytestmark = pytest.mark.browser

PASSWORD = "a long engineer password"


def _complete_answers() -> dict[str, Any]:
    cases = yaml.safe_load((ROOT / "definitions" / "tests" / "pre_discovery.yaml").read_text())[
        "cases"
    ]
    return next(
        c["answers"] for c in cases if c["name"].startswith("Complete response - medical imaging")
    )


def _submitted_engagement(server: LiveServer, customer: str) -> int:
    """A customer who has answered everything and submitted (set up through the use cases);
    the live server's worker pre-fills the SoW."""
    url = server.invite(customer=customer)
    token = url.rstrip("/").rsplit("/", 1)[1]
    context = server.app.extensions["services"]
    with server.app.app_context():
        session = db.session()
        opened = journey.open_link(session, context, token)
        journey.start(session, context, opened)
        assert opened.response is not None
        # Stored answers are parsed ones: the flow parses the path test's and keeps the path's.
        opened.response.answers = dict(evaluate(opened.questionnaire, _complete_answers()).answers)
        opened.response.version += 1
        session.commit()
        assert journey.submit(session, context, opened, opened.response.version).to == "done"
        accounts.ensure_user(session, "eng@example.com", PASSWORD, "Engineer")
        return opened.link.engagement_id


def test_engineer_finishes_and_exports_the_sow(
    live_server: LiveServer, page_for: PageFor, tmp_path: Path
) -> None:
    engagement_id = _submitted_engagement(live_server, "Eastshire Imaging")
    page = page_for()
    page.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    expect(page).to_have_url(f"{live_server.url}/e/login?next=%2Fe%2Fengagements%2F{engagement_id}")
    page.get_by_label("Email address").fill("eng@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Eastshire Imaging")).to_be_visible()
    expect(page.get_by_text("submitted", exact=True)).to_be_visible()

    page.get_by_role("link", name="Open the SoW").click()
    expect(page.locator("#checklist-title")).to_contain_text("To confirm on the discovery call")
    checklist = page.locator(".checklist li")
    assert checklist.count() > 0
    expect(page.locator(".sow-preview")).to_contain_text("[To confirm on the discovery call:")
    expect(page.get_by_text("Where the pre-filled values came from")).to_be_visible()

    editor = page.get_by_label("Revision 1 (Markdown)")
    editor.fill(editor.input_value() + "\n\nAgreed on the discovery call: a two-arm deployment.\n")
    page.get_by_label("What changed (optional)").fill("after the discovery call")
    page.get_by_role("button", name="Save as revision 2").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    expect(page.locator(".sow-preview")).to_contain_text(
        "Agreed on the discovery call: a two-arm deployment."
    )

    for label, suffix, magic in (("PDF", ".pdf", b"%PDF"), ("DOCX", ".docx", b"PK")):
        with page.expect_download() as download:
            page.get_by_role("link", name=f"{label} of revision 2").click()
        saved = tmp_path / f"sow{suffix}"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(f"-r2{suffix}")
        assert saved.read_bytes().startswith(magic)
