"""axe-core on the authors' preview (``questionnaire preview``): a page with the flow's view
beside it, the page with errors, the review, and the problems of a file that does not load
(the audit of ``test_accessibility``: serious or critical violations and repeated ids fail)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from questionnaire.web.preview import create_preview_app
from tests.engine.builders import as_yaml
from tests.test_preview import medical_survey, write

from .conftest import PageFor, _QuietHandler
from .test_accessibility import AxeAudit, _assert_no_serious, audit

pytestmark = pytest.mark.browser
__all__ = ["audit"]  # the fixture, used by name


@pytest.fixture
def preview_file(tmp_path: Path) -> Path:
    path = tmp_path / "survey.yaml"
    write(path, as_yaml(medical_survey()))
    return path


@pytest.fixture
def preview_url(preview_file: Path) -> Iterator[str]:
    """The preview of ``preview_file`` served over HTTP on a free port, as the command does."""
    app = create_preview_app(preview_file)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="preview-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_the_preview_pages_have_no_serious_violations(
    page_for: PageFor, preview_url: str, preview_file: Path, audit: AxeAudit
) -> None:
    page = page_for()
    page.goto(f"{preview_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About")
    expect(page.get_by_role("complementary", name="The flow’s view")).to_be_visible()
    audit.check(page, "preview: first page and the flow's view")
    page.get_by_role("group", name="Medical").get_by_label("No").check()
    page.get_by_role("group", name="Ha").get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    audit.check(page, "preview: a page with errors, pages skipped")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    audit.check(page, "preview: review")

    good = preview_file.read_text()
    write(preview_file, good.replace("type: yes_no", "type: yes_noo", 1))
    page.reload()  # the script reloads it too, once it sees the file changed
    expect(page.get_by_role("heading", level=1)).to_have_text("The definition does not load")
    audit.check(page, "preview: a definition that does not load")
    write(preview_file, good)
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    _assert_no_serious(audit)


def test_the_script_reloads_the_page_when_the_file_is_saved(
    page_for: PageFor, preview_url: str, preview_file: Path
) -> None:
    page = page_for()
    page.goto(f"{preview_url}/p/about")
    expect(page.get_by_role("heading", level=1)).to_have_text("About")
    page.wait_for_timeout(500)  # the script has read the file's first stamp
    write(preview_file, as_yaml(medical_survey(about_title="About your project")))
    expect(page.get_by_role("heading", level=1)).to_have_text("About your project", timeout=10_000)
