"""An engineer signs in, opens a submitted engagement, finishes its pre-filled SoW and downloads it;
the SoW page stays short and works by keyboard alone."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect
from sqlalchemy import and_, func, or_, select

from questionnaire.engine import evaluate
from questionnaire.services import accounts, journey, submission
from questionnaire.store import db
from questionnaire.store.models import Job, JobStatus, utcnow

from .conftest import ROOT, LiveServer, PageFor

pytestmark = pytest.mark.browser

PASSWORD = "a long engineer password"
EMAIL = "eng@example.com"
#: The SoW page at a laptop's size with everything folded away; it was 18,800 px (2 columns).
MAX_SOW_HEIGHT = 4_000


def _complete_answers() -> dict[str, Any]:
    cases = yaml.safe_load((ROOT / "definitions" / "tests" / "pre_discovery.yaml").read_text())[
        "cases"
    ]
    return next(
        c["answers"] for c in cases if c["name"].startswith("Complete response - medical imaging")
    )


def submitted_engagement(server: LiveServer, customer: str) -> int:
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
        went = submission.submit(session, context, opened, opened.response.version)
        assert isinstance(went, journey.Go) and went.to == "done"
        accounts.ensure_user(session, EMAIL, PASSWORD, "Engineer")
        return opened.link.engagement_id


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/e/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Engagements")).to_be_visible()


def open_sow(page: Page, server: LiveServer, engagement_id: int, timeout: float = 20) -> str:
    """Open the engagement's SoW page once the worker has pre-filled it; returns its URL."""
    url = f"{server.url}/e/engagements/{engagement_id}/sow"
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if page.url == url:  # before the pre-fill, the SoW page sends back to the engagement
            return url
        assert time.monotonic() < deadline, "the worker did not pre-fill the SoW"
        time.sleep(0.2)


def _busy(now: datetime) -> Any:
    due = and_(Job.status == JobStatus.QUEUED, Job.run_after <= now)
    return select(func.count()).where(or_(due, Job.status == JobStatus.RUNNING))


def worker_idle(server: LiveServer, timeout: float = 60) -> None:
    """Wait until the live server's worker has no job left (pre-fills, exports).

    On SQLite a save made while the worker writes can fail with "database is locked"; the tests
    are about the pages, so they save when the worker is done.
    """
    deadline = time.monotonic() + timeout
    with server.app.app_context():
        # A job held back for later (a questionnaire's reminder, a retry) is not work left now.
        while db.session().scalar(_busy(utcnow())):
            db.session().rollback()  # a fresh snapshot for the next look
            assert time.monotonic() < deadline, "the worker did not finish its jobs"
            time.sleep(0.2)


def test_engineer_finishes_and_exports_the_sow(
    live_server: LiveServer, page_for: PageFor, tmp_path: Path
) -> None:
    engagement_id = submitted_engagement(live_server, "Eastshire Imaging")
    page = page_for()
    page.goto(f"{live_server.url}/e/engagements/{engagement_id}")
    expect(page).to_have_url(f"{live_server.url}/e/login?next=%2Fe%2Fengagements%2F{engagement_id}")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Eastshire Imaging")).to_be_visible()
    expect(page.get_by_text("submitted", exact=True)).to_be_visible()

    sow_url = open_sow(page, live_server, engagement_id)
    expect(page.locator("#checklist-title")).to_contain_text("To confirm on the discovery call")
    page.locator("#checklist-title").click()
    checklist = page.locator(".checklist li")
    expect(checklist.first).to_be_visible()
    page.get_by_role("link", name="Preview").click()
    expect(page.locator(".sow-preview")).to_contain_text("[To confirm on the discovery call:")
    expect(page.get_by_text("Where the pre-filled values came from")).to_be_visible()

    page.get_by_role("link", name="Edit").click()
    worker_idle(live_server)
    editor = page.get_by_label("Revision 1 (Markdown)")
    editor.fill(editor.input_value() + "\n\nAgreed on the discovery call: a two-arm deployment.\n")
    page.get_by_label("What changed (optional)").fill("after the discovery call")
    page.get_by_role("button", name="Save as revision 2").click()
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    page.get_by_role("link", name="Preview").click()
    expect(page.locator(".sow-preview")).to_be_visible()
    expect(page.locator(".sow-preview")).to_contain_text(
        "Agreed on the discovery call: a two-arm deployment."
    )

    for label, suffix, magic in (("PDF", ".pdf", b"%PDF"), ("DOCX", ".docx", b"PK")):
        # A download not rendered yet is a page that reloads until it is: start from the SoW.
        page.goto(sow_url)
        with page.expect_download() as download:
            page.get_by_role("link", name=f"{label} of revision 2").click()
        saved = tmp_path / f"sow{suffix}"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(f"-r2{suffix}")
        assert saved.read_bytes().startswith(magic)

    page.goto(sow_url)
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.get_by_role("heading", name="Changes from revision 1 to 2")).to_be_visible()
    # Each line of the diff starts where the one before it ends: no blank line between.
    tops_and_bottoms = page.locator(".diff > span").evaluate_all(
        "lines => lines.map(l => [l.getBoundingClientRect().top, l.getBoundingClientRect().bottom])"
    )
    assert len(tops_and_bottoms) > 2
    gaps = [top - bottom for (_, bottom), (top, _) in itertools.pairwise(tops_and_bottoms)]
    assert all(abs(gap) < 1 for gap in gaps), gaps


# What the focused element is, for a list of the page's tab stops.
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "";
  const name = e.labels && e.labels.length ? e.labels[0].innerText : e.innerText;
  return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} ${name.trim().replace(/\\s+/g, " ")}`;
}"""


def _tab_stops(page: Page, until: str, limit: int = 120) -> list[str]:
    """Press Tab from the current focus until the focused element's description starts with
    ``until``; returns every description on the way."""
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(_FOCUSED))
        if stops[-1].startswith(until):
            return stops
    raise AssertionError(f"{until!r} was not reached by Tab: {stops}")


def _in_order(stops: list[str], wanted: list[str]) -> None:
    """Each of ``wanted`` starts one of ``stops``, in this order."""
    position = 0
    for want in wanted:
        found = next(
            (i for i, s in enumerate(stops[position:], position) if s.startswith(want)), None
        )
        assert found is not None, (
            f"{want!r} is not reached by Tab after {stops[position - 1 : position]}: {stops}"
        )
        position = found + 1


def test_the_sow_page_is_short_and_works_by_keyboard(
    live_server: LiveServer, page_for: PageFor
) -> None:
    engagement_id = submitted_engagement(live_server, "Westshire Imaging")
    page = page_for(viewport={"width": 1280, "height": 800})
    sign_in(page, live_server)
    open_sow(page, live_server, engagement_id)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nSoW page: {height} px high at 1280x800")
    assert height < MAX_SOW_HEIGHT
    checklist = page.locator("details.checklist")
    expect(checklist).not_to_have_attribute("open", "")  # measured with the checklist closed

    page.locator("body").focus()
    # To the footer's email link, the last on the page.
    stops = _tab_stops(page, f"a {live_server.app.config['CONTACT_EMAIL']}")
    _in_order(stops, [
        "summary To confirm on the discovery call", "summary Proposals from the answers",
        "summary Where the pre-filled values came from", "a Edit", "a Preview",
        "textarea#markdown Revision 1 (Markdown)", "input#note What changed",
        "button Save as revision 2", "a Revision 1", "input#from-1", "input#to-1",
        "a DOCX of revision 1", "a PDF of revision 1", "a Markdown of revision 1",
        "a HTML of revision 1", "button Mark revision 1 as sent",
        "summary The customer asked for changes",
    ])  # fmt: skip

    # Folded sections open from the keyboard.
    page.locator("details.checklist > summary").focus()
    page.keyboard.press("Enter")
    expect(checklist).to_have_attribute("open", "")
    expect(page.locator(".checklist li").first).to_be_visible()

    # Type, look at the preview, come back: what was typed is still there, and saves.
    page.get_by_label("Revision 1 (Markdown)").focus()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nTyped by keyboard.\n")
    page.get_by_role("link", name="Preview").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".sow-preview")).to_be_visible()
    expect(page.get_by_label("Revision 1 (Markdown)")).to_be_hidden()
    page.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Revision 1 (Markdown)")).to_be_visible()
    expect(page.locator(".sow-preview")).to_be_hidden()
    worker_idle(live_server)
    stops = _tab_stops(page, "button Save as revision 2")
    assert stops[0].startswith("textarea#markdown"), stops
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    page.get_by_role("link", name="Preview").press("Enter")
    expect(page.locator(".sow-preview")).to_contain_text("Typed by keyboard.")

    # The revision request form, folded away, is reached and used by keyboard too.
    page.locator("summary", has_text="The customer asked for changes").focus()
    page.keyboard.press("Enter")
    stops = _tab_stops(page, "textarea#request-note")
    page.keyboard.type("Add the DR site")
    _tab_stops(page, "button Record revision request")
    worker_idle(live_server)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Revision request recorded.")).to_be_visible()


def test_the_sow_views_switch_without_javascript(
    live_server: LiveServer, page_for: PageFor
) -> None:
    engagement_id = submitted_engagement(live_server, "Northshire Imaging")
    page = page_for(java_script_enabled=False)
    sign_in(page, live_server)
    open_sow(page, live_server, engagement_id)
    editor, preview = page.get_by_label("Revision 1 (Markdown)"), page.locator(".sow-preview")
    expect(editor).to_be_visible()
    expect(preview).to_be_hidden()
    page.get_by_role("link", name="Preview").click()
    expect(preview).to_be_visible()
    expect(editor).to_be_hidden()
    expect(page.get_by_role("link", name="Edit")).to_be_in_viewport()  # the tabs stay in sight
    page.go_back()  # the views are addresses: Back returns to the editor
    expect(editor).to_be_visible()
    expect(preview).to_be_hidden()
