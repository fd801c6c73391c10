"""An engineer signs in, opens a submitted engagement, finishes its pre-filled SoW and downloads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect
from sqlalchemy import select

from questionnaire.services import accounts, responses, sow
from questionnaire.services.definitions import registry
from questionnaire.store import db
from questionnaire.store.models import Link

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
    """A customer who has answered everything and submitted (set up through the services)."""
    url = server.invite(customer=customer)
    token = url.rstrip("/").rsplit("/", 1)[1]
    with server.app.app_context():
        session = db.session()
        link = session.execute(select(Link).where(Link.token_hash == _hash(token))).scalar_one()
        response = responses.start(session, registry(), link, "test")
        q = registry().by_hash(session, response.definition_sha256)
        flow = responses.evaluate(q, _complete_answers())
        response.answers = dict(flow.answers)
        session.commit()
        responses.submit(session, q, response, response.version, "test")
        sow.generate(session, q, response, "pre-filler")
        accounts.ensure_user(session, "eng@example.com", PASSWORD, "Engineer")
        return link.engagement_id


def _hash(token: str) -> str:
    from questionnaire.services.links import token_hash

    return token_hash(token)


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
