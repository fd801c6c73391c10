"""0013 makes the SoW's drafts documents of a kind: a SoW accepted at 0012 (its draft, revision,
export, change request, review link and acceptance) is there after the upgrade, as a ``sow``,
and after the downgrade again; going down removes only the acceptance documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from questionnaire.store import db
from tests.conftest import PG_URL

NOW = "CURRENT_TIMESTAMP"
SOW_ROWS = {
    "sow_drafts": 1, "sow_revisions": 1, "exports": 1, "sow_revision_requests": 1,
    "sow_review_links": 1, "sow_acceptances": 1,
}  # fmt: skip


def _urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'documents.sqlite'}"]
    if PG_URL:
        engine = db.make_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_documents CASCADE"))
            connection.execute(text("CREATE SCHEMA migration_documents"))
        engine.dispose()
        sep = "&" if "?" in PG_URL else "?"
        urls.append(f"{PG_URL}{sep}options=-csearch_path%3Dmigration_documents")
    return urls


def _accepted_sow(connection: Connection) -> None:
    """An engagement whose SoW revision 1 was sent, asked about and accepted, as 0012 keeps it."""
    for statement in (
        "INSERT INTO engagements (id, customer, facts, created_at, created_by, stage_since) "
        f"VALUES (1, 'Kept Ltd', '{{}}', {NOW}, 'sam@example.com', {NOW})",
        "INSERT INTO definition_versions (sha256, definition_id, version, source_name, "
        f"source_text, created_at) VALUES ('{'a' * 64}', 'discovery', '1', 'd.yaml', 'x', {NOW})",
        "INSERT INTO responses (id, engagement_id, definition_id, definition_sha256, status, "
        f"answers, version, created_at, updated_at) VALUES (1, 1, 'discovery', '{'a' * 64}', "
        f"'submitted', '{{}}', 1, {NOW}, {NOW})",
        "INSERT INTO sow_drafts (id, engagement_id, response_id, prefill, created_at) "
        f"VALUES (1, 1, 1, '{{}}', {NOW})",
        "INSERT INTO sow_revisions (id, draft_id, number, markdown, author, created_at, sent_at) "
        f"VALUES (1, 1, 1, '# SoW', 'eve@example.com', {NOW}, {NOW})",
        "INSERT INTO exports (id, revision_id, format, status, created_at) "
        f"VALUES (1, 1, 'pdf', 'ready', {NOW})",
        "INSERT INTO sow_revision_requests (id, draft_id, revision_id, note, recorded_by, at) "
        f"VALUES (1, 1, 1, 'Add a VIP', 'customer:review:1', {NOW})",
        "INSERT INTO sow_review_links (id, engagement_id, revision_id, token_hash, created_at, "
        f"created_by, expires_at) VALUES (1, 1, 1, '{'b' * 64}', {NOW}, 'eve@example.com', {NOW})",
        "INSERT INTO sow_acceptances (id, draft_id, revision_id, engagement_id, review_link_id, "
        "full_name, job_title, authorised, accepted_at, ip_address, user_agent, document_sha256, "
        f"document_name) VALUES (1, 1, 1, 1, 1, 'Jo Customer', 'Head of IT', TRUE, {NOW}, "
        f"'203.0.113.7', 'Firefox', '{'c' * 64}', 'SoW-Kept-Ltd-r1.pdf')",
    ):
        connection.execute(text(statement))


def _acceptance_document(connection: Connection) -> None:
    """A Customer PS Acceptance Document, accepted too: what 0013 makes possible."""
    for statement in (
        "INSERT INTO sow_drafts (id, engagement_id, kind, response_id, prefill, created_at) "
        f"VALUES (2, 1, 'ps_acceptance', NULL, '{{}}', {NOW})",
        "INSERT INTO sow_revisions (id, draft_id, number, markdown, author, created_at, sent_at) "
        f"VALUES (2, 2, 1, '# PS', 'eve@example.com', {NOW}, {NOW})",
        "INSERT INTO exports (id, revision_id, format, status, created_at) "
        f"VALUES (2, 2, 'pdf', 'ready', {NOW})",
        "INSERT INTO sow_revision_requests (id, draft_id, revision_id, note, recorded_by, at) "
        f"VALUES (2, 2, 2, 'Typo', 'customer:review:2', {NOW})",
        "INSERT INTO sow_review_links (id, engagement_id, revision_id, token_hash, created_at, "
        f"created_by, expires_at) VALUES (2, 1, 2, '{'d' * 64}', {NOW}, 'eve@example.com', {NOW})",
        "INSERT INTO sow_acceptances (id, draft_id, revision_id, engagement_id, review_link_id, "
        "full_name, job_title, authorised, accepted_at, ip_address, user_agent, document_sha256, "
        f"document_name) VALUES (2, 2, 2, 1, 2, 'Jo Customer', 'Head of IT', TRUE, {NOW}, "
        f"'203.0.113.7', 'Firefox', '{'e' * 64}', 'PS-Acceptance-Kept-Ltd-r1.pdf')",
    ):
        connection.execute(text(statement))


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in SOW_ROWS
    }


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_an_accepted_sow_survives_the_upgrade_and_the_downgrade(tmp_path: Path, which: str) -> None:
    urls = {url.split(":", 1)[0].split("+")[0]: url for url in _urls(tmp_path)}
    if which not in urls:
        pytest.skip("PostgreSQL is not configured (TEST_DATABASE_URL)")
    url = urls[which]
    db.upgrade(url, "0012")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        _accepted_sow(connection)
    db.upgrade(url, "0013")
    with engine.begin() as connection:
        assert _counts(connection) == SOW_ROWS
        assert connection.execute(text("SELECT kind FROM sow_drafts")).scalars().all() == ["sow"]
        _acceptance_document(connection)
        assert _counts(connection) == dict.fromkeys(SOW_ROWS, 2)
    db.downgrade(url, "0012")
    with engine.connect() as connection:
        assert _counts(connection) == SOW_ROWS
        name = connection.execute(text("SELECT document_name FROM sow_acceptances")).scalar_one()
        kept = connection.execute(text("SELECT markdown FROM sow_revisions")).scalar_one()
    engine.dispose()
    assert (name, kept) == ("SoW-Kept-Ltd-r1.pdf", "# SoW")
