"""The customer's SoW review page in each state, and the protections questionnaire links have
(security plan lines 2-7 and 36): the token's shape, guessing limited, no data behind a dead
link, no change on GET, headers, redaction."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from questionnaire.services import links
from questionnaire.store import db
from questionnaire.store.models import Export, RevisionRequest
from questionnaire.store.reviews import Acceptance
from questionnaire.web.security import redact

from .customer import error_summary
from .sow_review_flow import (
    ENGINEER,
    accept,
    ask_for_changes,
    drafted,
    save_revision,
    sent,
)
from .state import dump, run_jobs, with_config

CONTACT_EMAIL = "help-desk@example.test"


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return {"CONTACT_EMAIL": CONTACT_EMAIL, **getattr(request, "param", {})}


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model)) or 0


def _sql(app: Flask, statement: str) -> None:
    with app.app_context():
        db.session().execute(text(statement))
        db.session().commit()


def test_an_active_link_shows_the_revision_its_downloads_and_the_two_actions(app: Flask) -> None:
    token = sent(app, drafted(app, customer="<b>Acme</b> Health"))
    page = app.test_client().get(f"/s/{token}/")
    assert page.status_code == 200
    assert "Statement of Work, revision 1" in page.text
    assert "&lt;b&gt;Acme&lt;/b&gt; Health" in page.text and "<b>Acme</b>" not in page.text
    assert f'href="/s/{token}/sow.pdf"' in page.text and f'href="/s/{token}/sow.docx"' in page.text
    assert f'href="/s/{token}/accept"' in page.text and f'href="/s/{token}/changes"' in page.text
    assert '<div class="sow-preview"><h2>' in page.text  # the engineers' renderer, one level down
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"


def _dead(body: str) -> None:
    assert "Statement of Work, revision" not in body and "sow-preview" not in body
    assert "/accept" not in body


def test_a_superseded_link_says_a_newer_revision_was_sent_and_shows_nothing(app: Flask) -> None:
    engineer = drafted(app)
    first = sent(app, engineer)
    second = sent(app, engineer, save_revision(engineer, "# SoW\n\n## Scope\n\nTwo VIPs.\n"))
    page = app.test_client().get(f"/s/{first}/")
    assert page.status_code == 410
    assert "we have sent you a newer revision since" in unescape(page.text)
    assert second not in page.text and ENGINEER in page.text
    _dead(page.text)
    assert app.test_client().get(f"/s/{first}/sow.pdf").status_code == 410


def test_a_link_ended_by_a_new_send_of_the_same_revision_is_revoked(app: Flask) -> None:
    engineer = drafted(app)
    first = sent(app, engineer)
    sent(app, engineer)
    page = app.test_client().get(f"/s/{first}/")
    assert page.status_code == 410 and "This link is no longer active" in page.text
    _dead(page.text)


def test_an_expired_link_says_whom_to_contact_and_shows_nothing(app: Flask) -> None:
    token = sent(app, drafted(app))
    _sql(app, "UPDATE sow_review_links SET expires_at = created_at")
    page = app.test_client().get(f"/s/{token}/")
    assert page.status_code == 410
    assert "has expired" in page.text and f"Eve Engineer ({ENGINEER})" in page.text
    assert f'href="mailto:{CONTACT_EMAIL}"' in page.text
    _dead(page.text)


GARBAGE = ["' OR '1'='1", "A" * 42 + "'", "x" * 10_240, "A" * 43 + "\x00", "é" * 43, "..", "%"]


@with_config(LINK_GUESS_LIMIT="1000 per minute")
@pytest.mark.parametrize("path", ["/", "/sow.pdf", "/accept", "/changes", "/acceptance.pdf"])
def test_a_token_of_the_wrong_shape_gets_a_4xx_never_a_500(app: Flask, path: str) -> None:
    client = app.test_client()
    for token in [quote(g, safe="") for g in GARBAGE] + ["%00", "%ff%fe", "A" * 42 + "%00"]:
        got = client.get(f"/s/{token}{path}")
        assert 400 <= got.status_code < 500, (token[:50], got.status_code)
        posted = client.post(f"/s/{token}{path}", data={"full_name": "x"})
        assert 400 <= posted.status_code < 500, (token[:50], posted.status_code)
    assert client.get(f"/s/{'x' * 42}/").status_code == 404


@with_config(LINK_GUESS_LIMIT="3 per minute")
def test_unknown_and_dead_tokens_count_toward_the_guessing_limit(app: Flask) -> None:
    engineer = drafted(app)
    first = sent(app, engineer)
    good = sent(app, engineer)
    client = app.test_client()
    assert [client.get(f"/s/{links.new_token()}/").status_code for _ in range(2)] == [404, 404]
    assert client.get(f"/s/{first}/").status_code == 410  # revoked: the third failure
    limited = client.get(f"/s/{links.new_token()}/")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    other = app.test_client()
    for _ in range(5):  # a working link never counts
        assert (
            other.get(f"/s/{good}/", environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code
            == 200
        )


def test_following_the_links_with_get_changes_nothing(app: Flask) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    before = dump(app)
    for path in ["/", "/sow.pdf", "/sow.docx", "/sow.md", "/accept", "/changes", "/acceptance.pdf"]:
        response = client.get(f"/s/{token}{path}")
        assert response.status_code in (200, 404), (path, response.status_code)
        response.close()
    assert dump(app) == before


def test_the_downloads_are_the_stored_files_or_a_page_that_reloads(app: Flask) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    pdf = client.get(f"/s/{token}/sow.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == "attachment; filename=SoW-Acme-Health-r1.pdf"
    pdf.close()
    docx = client.get(f"/s/{token}/sow.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    docx.close()
    with app.app_context():
        db.session().execute(delete(Export).where(Export.format == "docx"))
        db.session().commit()
    waiting = client.get(f"/s/{token}/sow.docx")
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "3"
    assert "is being prepared" in waiting.text and f'href="/s/{token}/sow.docx"' in waiting.text
    assert 'http-equiv="refresh"' not in waiting.text  # a reload every 3 s: axe's meta-refresh


def test_asking_for_changes_needs_a_comment_somewhere_and_keeps_what_was_typed(
    app: Flask,
) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    form = client.get(f"/s/{token}/changes").text
    sections = dict(
        re.findall(r'<label class="label" for="(section-\d+)">Comments on “([^”]+)”', form)
    )
    assert "Scope" in sections.values()
    scope = next(key for key, heading in sections.items() if heading == "Scope")
    empty = ask_for_changes(client, token, comment="  ")
    assert empty.status_code == 400
    assert error_summary(empty.text) == [
        ("comment", "Enter what you would like us to change, here or beside a section")
    ]
    too_long = ask_for_changes(client, token, **{scope: "x" * 5001, "comment": "<i>kept</i>"})
    assert too_long.status_code == 400 and "&lt;i&gt;kept&lt;/i&gt;" in too_long.text
    done = ask_for_changes(client, token, **{scope: "Two VIPs, not one."})
    assert done.status_code == 303 and done.location.endswith(f"/s/{token}/?changes=sent")
    assert "Thank you: we have your comments" in client.get(done.location).text
    with app.app_context():
        request = db.session().scalars(select(RevisionRequest)).one()
        assert request.sections == [{"section": "Scope", "comment": "Two VIPs, not one."}]


def test_accepting_names_each_missing_answer_and_keeps_what_was_typed(app: Flask) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    form = client.get(f"/s/{token}/accept").text
    assert "I may accept this Statement of Work on behalf of Acme Health" in form
    assert re.search(r"Its SHA-256 is <code>[0-9a-f]{64}</code>", form)
    refused = accept(client, token, full_name="", job_title="CTO <b>", authorised="")
    assert refused.status_code == 400
    assert [key for key, _ in error_summary(refused.text)] == ["full_name", "authorised"]
    assert 'value="CTO &lt;b&gt;"' in refused.text
    assert refused.text.startswith("<!doctype html>") and "<title>Error: " in refused.text
    assert _count(app, Acceptance) == 0


def test_an_acceptance_answers_with_a_confirmation_and_then_offers_no_more_actions(
    app: Flask,
) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    done = accept(client, token)
    assert done.status_code == 303 and done.location.endswith(f"/s/{token}/")
    page = client.get(done.location)
    assert page.status_code == 200 and "Statement of Work accepted" in page.text
    assert "accepted by Jo Customer on" in page.text
    assert f'href="/s/{token}/accept"' not in page.text
    assert f'href="/s/{token}/changes"' not in page.text
    assert client.get(f"/s/{token}/accept").location.endswith(f"/s/{token}/")
    waiting = client.get(f"/s/{token}/acceptance.pdf")
    assert waiting.status_code == 202 and "acceptance record is being prepared" in waiting.text
    run_jobs(app)
    record = client.get(f"/s/{token}/acceptance.pdf")
    assert record.status_code == 200 and record.data.startswith(b"%PDF")
    assert "SoW-acceptance-Acme-Health-r1.pdf" in record.headers["Content-Disposition"]
    record.close()
    late = app.test_client().post(f"/s/{token}/accept", data={"full_name": "x"})
    assert late.status_code == 400 and "already been accepted" in late.text
    assert _count(app, Acceptance) == 1


def test_a_stale_accept_form_is_told_the_sow_was_accepted_already(app: Flask) -> None:
    token = sent(app, drafted(app))
    first, second = app.test_client(), app.test_client()
    second_form = second.get(f"/s/{token}/accept").text
    assert accept(first, token).status_code == 303
    token_field = re.search(r'name="csrf_token" value="([^"]+)"', second_form)
    assert token_field
    late = second.post(f"/s/{token}/accept", data={
        "csrf_token": token_field.group(1), "full_name": "Al", "job_title": "CFO",
        "authorised": "yes"})  # fmt: skip
    assert late.status_code == 409 and "already been accepted" in late.text
    assert _count(app, Acceptance) == 1


def test_an_ended_session_gets_the_form_back_with_what_was_typed(app: Flask) -> None:
    token = sent(app, drafted(app))
    client = app.test_client()
    client.get(f"/s/{token}/accept")
    posted = client.post(f"/s/{token}/accept", data={"full_name": "Jo Typed", "job_title": "CTO",
                                                     "authorised": "yes"})  # fmt: skip
    assert posted.status_code == 400 and "Please check and accept again" in posted.text
    assert 'value="Jo Typed"' in posted.text and " checked" in posted.text
    changes = client.post(f"/s/{token}/changes", data={"comment": "Keep me"})
    assert changes.status_code == 400 and "Keep me</textarea>" in changes.text
    assert _count(app, Acceptance) == 0 and _count(app, RevisionRequest) == 0


def _accepted_from(app: Flask, **environ: str) -> str:
    token = sent(app, drafted(app))
    client = app.test_client()
    page = client.get(f"/s/{token}/accept", environ_base=environ)
    token_field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token_field
    client.post(
        f"/s/{token}/accept", environ_base=environ,
        headers={"X-Forwarded-For": "203.0.113.50", "User-Agent": "Firefox/140 " + "x" * 900},
        data={"csrf_token": token_field.group(1), "full_name": "Jo", "job_title": "CTO",
              "authorised": "yes"},
    )  # fmt: skip
    with app.app_context():
        acceptance = db.session().scalars(select(Acceptance)).one()
        assert acceptance.user_agent.startswith("Firefox/140") and len(acceptance.user_agent) == 500
        return acceptance.ip_address


def test_the_address_recorded_is_the_clients_when_no_proxy_is_trusted(app: Flask) -> None:
    assert _accepted_from(app, REMOTE_ADDR="198.51.100.20") == "198.51.100.20"


@with_config(PROXY_FIX=1)
def test_behind_one_trusted_proxy_the_address_is_the_forwarded_one(app: Flask) -> None:
    assert _accepted_from(app, REMOTE_ADDR="10.0.0.1") == "203.0.113.50"


def test_review_tokens_are_redacted_from_log_lines() -> None:
    token = links.new_token()
    line = f'"GET /s/{token}/accept HTTP/1.1" 200 and /r/{token}/ too'
    assert token not in redact(line)
    assert redact(line) == '"GET /s/[redacted]/accept HTTP/1.1" 200 and /r/[redacted]/ too'


def test_every_review_post_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(
    app: Flask,
) -> None:
    token = sent(app, drafted(app))
    other = app.test_client()
    foreign = re.search(r'name="csrf_token" value="([^"]+)"', other.get(f"/s/{token}/accept").text)
    assert foreign
    client = app.test_client()
    client.get(f"/s/{token}/")  # a session of its own: only the token is wrong
    posts = [r.rule for r in app.url_map.iter_rules()
             if r.endpoint.startswith("document_review.") and "POST" in (r.methods or ())]  # fmt: skip
    assert sorted(posts) == ["/s/<token>/accept", "/s/<token>/changes"]
    before = dump(app)
    for rule in posts:
        for csrf in (None, "", "not-a-token", foreign.group(1)):
            data = {"full_name": "Jo", "job_title": "CTO", "authorised": "yes", "comment": "x"}
            if csrf is not None:
                data["csrf_token"] = csrf
            got = client.post(rule.replace("<token>", token), data=data)
            assert got.status_code == 400, (rule, csrf, got.status_code)
    assert dump(app) == before


@with_config(LINK_GUESS_LIMIT="2 per minute")
def test_posts_to_unknown_tokens_count_as_guesses_too(app: Flask) -> None:
    client = app.test_client()
    posted = [client.post(f"/s/{links.new_token()}/accept").status_code for _ in range(3)]
    assert posted == [400, 400, 429]  # no CSRF token: refused, and still counted
