"""The Files page: the upload form without JavaScript, errors with a summary (4xx), downloads
as attachments, holds, the retention date, who may reach it, and purged questionnaire files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from questionnaire.services import accounts, retention
from questionnaire.store import db
from questionnaire.store.files import EngagementFile
from questionnaire.store.models import Engagement, Role, Upload
from questionnaire.web.context import services
from tests.services.files_support import LOG, PDF, support_download

from .customer import Customer, csrf_token, error_summary, invite
from .engineer import PASSWORD, log_in, make_engineer, sign_in

FILES = "/e/engagements/1/files"
BIG = LOG * (2 * 1024 * 1024 // len(LOG))  # over the 1 MB these tests allow


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {"ENGAGEMENT_FILE_MAX_MB": 1}


def _engineer(app: Flask) -> FlaskClient:
    invite(app)  # engagement 1
    make_engineer(app)
    return log_in(app)


def _upload(client: FlaskClient, name: str, data: bytes, **fields: str) -> Any:
    """Post the upload form as a browser would, encoded in memory (the test client would spool
    a large body to a temporary file it never closes)."""
    page = client.get(FILES)
    form: dict[str, Any] = {"csrf_token": csrf_token(page.text), "source": "customer", **fields}
    form["file"] = FileStorage(io.BytesIO(data), name, content_type="application/octet-stream")
    boundary, body = encode_multipart(form)
    return client.post(FILES, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _stored(app: Flask) -> list[EngagementFile]:
    with app.app_context():
        return list(db.session().scalars(select(EngagementFile)).all())


def test_an_engineer_adds_a_support_download_and_downloads_it(app: Flask) -> None:
    engineer = _engineer(app)
    page = engineer.get(FILES)
    assert page.status_code == 200
    assert (
        "Kept until a year after completion" in page.text
        and 'enctype="multipart/form-data"' in page.text
    )
    bundle = support_download()
    added = _upload(engineer, "lbsupport<b>.tar.gz", bundle, description="After session 2")
    assert added.status_code == 303
    page = engineer.get(FILES)
    assert "lbsupport&lt;b&gt;.tar.gz added." in page.text
    assert "After session 2" in page.text and "eng@example.com" in page.text
    assert "compressed tar archive (.tar.gz)" in page.text
    [file] = _stored(app)
    link = f"{FILES}/{file.id}"
    assert f'href="{link}"' in page.text
    got = engineer.get(link)
    assert got.status_code == 200 and got.data == bundle
    assert got.headers["Content-Type"] == "application/gzip"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    disposition = got.headers["Content-Disposition"]
    got.close()
    assert disposition.startswith("attachment;") and "lbsupport" in disposition


@pytest.mark.parametrize(
    ("name", "data", "fields", "status", "summary"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", {}, 400, ("file", "The selected file must be a PDF")),
        ("big.log", BIG, {}, 413, ("file", "The selected file must be smaller than 1 MB")),
        ("a.pdf", PDF, {"source": ""}, 400, ("source", "Select where the file came from")),
        ("a.pdf", PDF, {"description": "d" * 501}, 400, ("description", "Description must be 500")),
        ("", b"", {}, 400, ("file", "Select a file")),
    ],
)  # fmt: skip
def test_a_bad_upload_comes_back_with_an_error_summary(
    app: Flask,
    name: str,
    data: bytes,
    fields: dict[str, str],
    status: int,
    summary: tuple[str, str],
) -> None:
    engineer = _engineer(app)
    refused = _upload(engineer, name, data, **{"description": "kept as typed", **fields})
    assert refused.status_code == status
    assert error_summary(refused.text)[0][0] == summary[0]
    assert summary[1] in error_summary(refused.text)[0][1]
    assert f'class="error-message" id="{summary[0]}-error"' in refused.text
    if "description" not in fields:
        assert "kept as typed" in refused.text
    assert _stored(app) == []


def test_a_file_far_over_the_app_limit_comes_back_with_the_page(app: Flask) -> None:
    engineer = _engineer(app)
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024  # below the form's own 1 MB
    refused = _upload(engineer, "big.log", LOG * (3 * 1024 * 1024 // len(LOG)))
    assert refused.status_code == 413
    assert error_summary(refused.text) == [("file", "The selected file must be smaller than 1 MB")]
    fine = _upload(engineer, "small.log", LOG * 10000)  # over the app's limit, under the form's
    assert fine.status_code == 303
    assert [f.original_name for f in _stored(app)] == ["small.log"]


def test_delete_a_wrong_upload(app: Flask) -> None:
    engineer = _engineer(app)
    _upload(engineer, "wrong.pdf", PDF)
    [file] = _stored(app)
    page = engineer.get(FILES)
    deleted = engineer.post(f"{FILES}/{file.id}/remove", data={"csrf_token": csrf_token(page.text)})
    assert deleted.status_code == 303
    assert "wrong.pdf deleted." in engineer.get(FILES).text
    assert _stored(app) == []
    assert engineer.get(f"{FILES}/{file.id}").status_code == 404


def test_hold_and_release_with_a_reason(app: Flask) -> None:
    engineer = _engineer(app)
    page = engineer.get(FILES)
    refused = engineer.post(
        f"{FILES}/hold", data={"csrf_token": csrf_token(page.text), "reason": ""}
    )
    assert refused.status_code == 400
    assert error_summary(refused.text) == [("reason", "Enter why the files must be kept")]
    held = engineer.post(
        f"{FILES}/hold", data={"csrf_token": csrf_token(page.text), "reason": "Audit"}
    )
    assert held.status_code == 303
    page = engineer.get(FILES)
    assert "On hold: not deleted." in page.text and "Release the hold" in page.text
    released = engineer.post(f"{FILES}/release",
                             data={"csrf_token": csrf_token(page.text), "reason": "Audit done"})  # fmt: skip
    assert released.status_code == 303
    assert "Put the files on hold" in engineer.get(FILES).text


def test_the_page_gives_the_date_once_complete(app: Flask) -> None:
    engineer = _engineer(app)
    _upload(engineer, "a.pdf", PDF)
    with app.app_context():
        session = db.session()
        found = session.get(Engagement, 1)
        assert found is not None
        found.pipeline_stage, found.stage_since = "complete", datetime(2026, 12, 2, 9, tzinfo=UTC)
        session.commit()
    page = engineer.get(FILES)
    assert "Kept until 2 December 2027" in page.text


def test_other_roles_and_customers_cannot_reach_the_files(app: Flask) -> None:
    engineer = _engineer(app)
    _upload(engineer, "a.pdf", PDF)
    [file] = _stored(app)
    with app.app_context():
        accounts.create_user(db.session(), "sam@example.com", PASSWORD, "Sam", roles=(Role.SALES,))
    sales = app.test_client()
    assert sign_in(sales, email="sam@example.com").status_code == 302
    assert sales.get(f"{FILES}/{file.id}").status_code == 403
    assert sales.get(FILES).status_code == 403
    # A customer, inside their own questionnaire, is not signed in: no file of ours.
    customer = Customer(app.test_client(), invite(app, "Other"))
    assert customer.start().status_code in (200, 302, 303)
    got = customer.client.get(f"{FILES}/{file.id}")
    assert got.status_code in (302, 401) and got.data != PDF
    assert customer.client.get(f"/e/engagements/2/files/{file.id}").status_code in (302, 401)
    # An engineer asking for the file through another engagement finds nothing.
    assert engineer.get(f"/e/engagements/2/files/{file.id}").status_code == 404
    assert engineer.get(f"{FILES}/..%2F{file.id}").status_code == 404


def test_purged_questionnaire_files_are_said_to_be_removed(app: Flask) -> None:
    customer = Customer(app.test_client(), invite(app))
    customer.start()
    hld = {"id": "f" * 32, "name": "design.pdf", "size": len(PDF), "kind": "pdf"}
    with app.app_context():
        session = db.session()
        found = session.get(Engagement, 1)
        assert found is not None and found.responses
        response = found.responses[0]
        session.add(Upload(id=hld["id"], response_id=response.id, question_id="hld",
                           original_name="design.pdf", kind="pdf", size=len(PDF), sha256="0" * 64))  # fmt: skip
        response.answers = {"organisation": "Acme", "fabric": "traditional", "has_hld": True,
                            "hld": hld}  # fmt: skip
        response.version += 1
        found.pipeline_stage, found.stage_since = "complete", datetime(2025, 1, 1, tzinfo=UTC)
        session.commit()
    make_engineer(app)
    engineer = log_in(app)
    assert "design.pdf" in engineer.get(FILES).text
    assert "removed after the retention period" not in engineer.get("/e/engagements/1").text
    with app.app_context():
        purged = retention.purge(
            db.session(), services().settings, now=datetime(2026, 1, 2, tzinfo=UTC)
        )
        assert [p.names for p in purged] == [["design.pdf"]]
    page = engineer.get("/e/engagements/1")
    assert page.status_code == 200
    removed = "(the file was removed after the retention period)</span>"
    assert f'design.pdf <span class="secondary-text">{removed}' in page.text
    assert "1 file(s) named in the answers were removed after the retention period" in page.text
    assert "The customer has not uploaded any files" in engineer.get(FILES).text
