"""Uploads (security plan lines 16-18): limits with clear messages that keep the page's other
answers, type judged by content, generated storage names outside any static folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.routing.converters import NumberConverter
from werkzeug.test import encode_multipart

from questionnaire import create_app
from questionnaire.store import db
from questionnaire.store.models import Response, Upload
from tests.conftest import app_config

from .customer import Customer, csrf_token, error_summary, invite, version
from .engineer import log_in, make_engineer
from .state import answers, dump, with_config

ABOUT = {"organisation": "Acme", "fabric": "traditional"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
NON_ASCII_NAME = "R\u00e9seau \u2013 plan.pdf"  # secure_filename() would make it "Reseau_plan.pdf"
KINDS_MESSAGE = "The selected file must be a PDF or PNG image"


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


def uploads(app: Flask) -> list[Upload]:
    with app.app_context():
        return list(db.session().scalars(select(Upload)))


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def ready(app: Flask, customer: str = "Acme Health") -> Customer:
    """A respondent on page `about` with "Do you have a high-level design?" answered yes."""
    visitor = Customer(app.test_client(), invite(app, customer=customer))
    assert visitor.start().status_code == 302
    assert visitor.answer("about", {**ABOUT, "has_hld": "yes"}, action="later").status_code == 302
    return visitor


def post_multipart(visitor: Customer, path: str, form: dict[str, Any]) -> Any:
    """POST ``form`` as multipart/form-data, encoded in memory (the test client would spool a
    large body to a temporary file that it never closes)."""
    boundary, body = encode_multipart(form)
    return visitor.client.post(
        visitor.base + path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def upload(
    visitor: Customer,
    content: bytes,
    filename: str,
    content_type: str = "application/pdf",
    **data: Any,
) -> Any:
    """Choose a file for `hld` on page `about` and save the page, as a browser would."""
    page = visitor.get("/p/about")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page.text),
        "version": version(page.text),
        "action": "continue",
        **ABOUT,
        "has_hld": "yes",
        **data,
        "hld": FileStorage(io.BytesIO(content), filename, content_type=content_type),
    }
    return post_multipart(visitor, "/p/about", form)


# -- 18. Storage ---------------------------------------------------------------------------------


def test_a_valid_pdf_is_stored_under_a_generated_name_and_its_filename_kept_as_data(
    app: Flask,
) -> None:
    visitor = ready(app)
    name = NON_ASCII_NAME
    saved = upload(visitor, PDF, name)
    assert saved.status_code == 302 and saved.location.endswith("/p/services")
    [row] = uploads(app)
    assert len(row.id) == 32 and int(row.id, 16) >= 0
    assert (row.original_name, row.kind, row.size) == (name, "pdf", len(PDF))
    assert row.question_id == "hld"
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert answers(app)["hld"] == {"id": row.id, "name": name, "size": len(PDF), "kind": "pdf"}
    # The bytes live under the generated name only, outside any static folder.
    [path] = stored_files(app)
    assert path.name == row.id and path.read_bytes() == PDF
    folder = Path(app.config["UPLOAD_DIR"]).resolve()
    assert not folder.is_relative_to(Path(str(app.static_folder)).resolve())
    assert app.test_client().get(f"/static/{row.id}").status_code == 404
    page = visitor.get("/p/about")
    assert f"Uploaded: <strong>{name}</strong> ({len(PDF)} bytes)" in page.text
    assert name in visitor.get("/review").text


def test_the_default_upload_folder_is_outside_the_static_folder(
    database_url: str, tmp_path: Path
) -> None:
    config = app_config(database_url, tmp_path)
    del config["UPLOAD_DIR"]
    application = create_app(config)
    try:
        folder = Path(application.config["UPLOAD_DIR"]).resolve()
        assert folder == (Path(application.instance_path) / "uploads").resolve()
        assert not folder.is_relative_to(Path(str(application.static_folder)).resolve())
    finally:
        application.extensions["db_engine"].dispose()


def test_no_route_serves_an_uploaded_file_to_a_respondent(app: Flask) -> None:
    """Files go to engineers only: every GET route, with the upload's id for each argument, from
    the respondent's own browser (which holds no engineer login)."""
    visitor = ready(app)
    secret = PDF.replace(b"trailer", b"only-in-the-file")
    upload(visitor, secret, "plan.pdf")
    [row] = uploads(app)
    urls = [f"/static/{row.id}", f"/static/../uploads/{row.id}", f"/static/%2e%2e/uploads/{row.id}"]
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.arguments and rule.endpoint != "static":
            values = {name: "1" if isinstance(rule._converters[name], NumberConverter) else row.id
                      for name in rule.arguments}  # fmt: skip
            built = rule.build(values | {"token": visitor.token})
            assert built is not None
            urls.append(built[1])
    for url in urls:
        got = visitor.client.get(url)
        assert b"only-in-the-file" not in got.data, url
        assert got.status_code != 200 or got.mimetype == "text/html", url


def test_a_path_in_the_filename_is_only_data(app: Flask) -> None:
    visitor = ready(app)
    assert upload(visitor, PDF, "../../../static/evil.pdf").status_code == 302
    [row] = uploads(app)
    assert row.original_name == "evil.pdf"
    assert [path.name for path in stored_files(app)] == [row.id]
    assert not (Path(str(app.static_folder)) / "evil.pdf").exists()


def test_the_type_is_judged_by_content_not_by_name_or_media_type(app: Flask) -> None:
    visitor = ready(app)
    assert upload(visitor, PDF, "diagram.png", "image/png").status_code == 302
    assert answers(app)["hld"]["kind"] == "pdf"
    assert upload(visitor, PNG, "design.pdf", "application/pdf").status_code == 302
    assert answers(app)["hld"]["kind"] == "png"


def test_a_file_chosen_with_the_answer_that_reveals_its_question_is_kept(app: Flask) -> None:
    visitor = Customer(app.test_client(), invite(app))
    visitor.start()
    assert upload(visitor, PDF, "plan.pdf").status_code == 302
    assert answers(app).get("hld", {}).get("name") == "plan.pdf"


def test_a_file_for_a_question_the_same_post_hides_is_not_stored(app: Flask) -> None:
    visitor = ready(app)
    assert upload(visitor, PDF, "plan.pdf", has_hld="no").status_code == 302
    assert "hld" not in answers(app)
    assert uploads(app) == [] and stored_files(app) == []


# -- 17. Type by content -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "content_type"),
    [
        (HTML, "diagram.png", "image/png"),
        (HTML, "diagram.pdf", "application/pdf"),
        (b"%PDF-1.4\n<script>alert(1)</script>", "polyglot.pdf", "application/pdf"),
        (SVG, "diagram.svg", "image/svg+xml"),
        (SVG, "diagram.png", "image/png"),
        (b"<svg onload=alert(1)>", "diagram.png", "image/png"),
        (
            b"GIF89a\x01\x00\x01\x00",
            "diagram.png",
            "image/png",
        ),  # a real type, but not one accepted
        (b"just some text\n", "diagram.pdf", "application/pdf"),
    ],
    ids=[
        "html as png",
        "html as pdf",
        "pdf with script",
        "svg",
        "svg as png",
        "bare svg",
        "gif",
        "text",
    ],
)
def test_files_of_other_types_are_refused_and_nothing_is_stored(
    app: Flask, content: bytes, filename: str, content_type: str
) -> None:
    visitor = ready(app)
    refused = upload(visitor, content, filename, content_type, organisation="Acme Imaging")
    assert refused.status_code == 400
    assert error_summary(refused.text) == [("hld", KINDS_MESSAGE)]
    assert 'id="hld-error"' in refused.text
    assert uploads(app) == [] and stored_files(app) == []
    assert "hld" not in answers(app)
    assert answers(app)["organisation"] == "Acme Imaging"  # the rest of the page is kept


def test_an_empty_file_is_refused(app: Flask) -> None:
    visitor = ready(app)
    refused = upload(visitor, b"", "plan.pdf")
    assert refused.status_code == 400
    assert error_summary(refused.text) == [("hld", "The selected file is empty")]
    assert uploads(app) == [] and stored_files(app) == []


def test_a_refused_file_keeps_the_one_already_uploaded(app: Flask) -> None:
    visitor = ready(app)
    upload(visitor, PDF, "first.pdf")
    first = answers(app)["hld"]
    assert upload(visitor, HTML, "second.png", "image/png").status_code == 400
    assert answers(app)["hld"] == first
    assert "Uploaded: <strong>first.pdf</strong>" in visitor.get("/p/about").text


# -- 16. Size limits -----------------------------------------------------------------------------


def test_a_file_over_the_question_s_limit_gets_413_and_the_page_s_other_answers_are_kept(
    app: Flask,
) -> None:
    visitor = ready(app)
    too_big = PDF + b"0" * (1024 * 1024)
    refused = upload(visitor, too_big, "huge.pdf", organisation="Acme Imaging", fabric="cisco_aci")
    assert refused.status_code == 413
    assert error_summary(refused.text) == [("hld", "The selected file must be smaller than 1 MB")]
    assert 'value="Acme Imaging"' in refused.text and 'value="cisco_aci" checked' in refused.text
    assert answers(app) == {"organisation": "Acme Imaging", "fabric": "cisco_aci", "has_hld": True}
    assert uploads(app) == [] and stored_files(app) == []
    # Exactly at the limit is accepted.
    at_limit = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert upload(visitor, at_limit, "exact.pdf").status_code == 302
    assert [row.size for row in uploads(app)] == [1024 * 1024]


@with_config(UPLOAD_QUOTA_BYTES=100)
def test_the_per_response_quota_is_enforced_with_a_clear_message(app: Flask) -> None:
    visitor = ready(app)
    assert upload(visitor, PDF, "first.pdf").status_code == 302
    refused = upload(visitor, PDF + b"%" * 10, "second.pdf", organisation="Acme Imaging")
    assert refused.status_code == 413
    [(question, message)] = error_summary(refused.text)
    assert (
        question == "hld"
        and "uploaded as much as we can accept" in message
        and "contact us" in message
    )
    assert [row.original_name for row in uploads(app)] == ["first.pdf"]
    assert len(stored_files(app)) == 1
    assert answers(app)["hld"]["name"] == "first.pdf"
    assert answers(app)["organisation"] == "Acme Imaging"
    # Another respondent has a quota of their own.
    other = ready(app, customer="Other Hospital")
    assert upload(other, PDF, "theirs.pdf").status_code == 302


@with_config(MAX_CONTENT_LENGTH=64 * 1024)
def test_a_request_over_max_content_length_gets_413_and_the_page_s_other_answers_are_kept(
    app: Flask,
) -> None:
    visitor = ready(app)
    page = visitor.get("/p/about")
    # As a browser sends it: the fields in the page's order, the button pressed after the file.
    form = {
        "csrf_token": csrf_token(page.text), "version": version(page.text),
        "organisation": "Acme Imaging", "fabric": "cisco_aci", "has_hld": "yes",
        "hld": FileStorage(io.BytesIO(PDF + b"0" * (100 * 1024)), "big.pdf", "application/pdf"),
        "action": "later",
    }  # fmt: skip
    refused = post_multipart(visitor, "/p/about", form)
    assert refused.status_code == 413
    assert error_summary(refused.text) == [("hld", "The selected file must be smaller than 64 KB")]
    assert 'value="Acme Imaging"' in refused.text and 'value="cisco_aci" checked' in refused.text
    assert "We saved your other answers" in refused.text  # "later" was read, after the file
    assert answers(app) == {"organisation": "Acme Imaging", "fabric": "cisco_aci", "has_hld": True}
    assert uploads(app) == [] and stored_files(app) == []


@with_config(MAX_CONTENT_LENGTH=64 * 1024)
def test_a_request_far_over_max_content_length_is_refused_unread_with_a_clear_413_page(
    app: Flask,
) -> None:
    visitor = ready(app)
    before = dump(app)
    refused = upload(visitor, PDF + b"0" * (300 * 1024), "huge.pdf", organisation="Other")
    assert refused.status_code == 413
    assert '<h1 class="heading-l">That file is too large</h1>' in refused.text
    assert "Files must be smaller than the size shown on the page" in refused.text
    assert "services@loadbalancer.org" in refused.text
    assert dump(app) == before and stored_files(app) == []


# -- 12. Respondents cannot see each other's files -----------------------------------------------


def test_respondent_b_cannot_see_a_s_uploaded_file(app: Flask) -> None:
    alice = ready(app, customer="Alice Hospital")
    upload(alice, PDF, "alice-network-plan.pdf")
    [row] = uploads(app)
    bob = ready(app, customer="Bob Clinic")
    pages = [bob.get(path) for path in ("/", "/p/about", "/review", "/saved", "/p/services")]
    page = bob.get("/p/about")
    # Bob posts Alice's upload id as if it were his answer: it is not a file he uploaded.
    alices = (
        f'{{"id": "{row.id}", "name": "alice-network-plan.pdf", "size": {row.size}, "kind": "pdf"}}'
    )
    forged = {"csrf_token": csrf_token(page.text), "version": version(page.text), **ABOUT}
    forged |= {"has_hld": "yes", "hld": alices}
    pages.append(post_multipart(bob, "/p/about", forged))
    pages.append(bob.get("/p/about"))
    for shown in pages:
        assert "alice-network-plan" not in shown.text
    with app.app_context():
        bobs = (
            db.session()
            .execute(select(Response).where(Response.id != row.response_id))
            .scalar_one()
        )
    assert "hld" not in bobs.answers


def test_an_engineer_s_download_is_the_file_as_an_attachment_and_changes_nothing(
    app: Flask,
) -> None:
    visitor = ready(app)
    assert upload(visitor, PDF, "design.pdf").status_code == 302
    [row] = uploads(app)
    make_engineer(app)
    engineer = log_in(app)
    before = dump(app)
    got = engineer.get(f"/e/files/{row.id}")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    got.close()
    assert dump(app) == before  # a GET records nothing: no history row, no state change
