"""What the engineers' list shows, kept on the engagement: response status, SoW sent, the latest
link's expiry and revocation, the last activity, and the text its search looks in; with indexes
for the list's order, its stages and (a trigram index on PostgreSQL, with ``pg_trgm``) its search.

The columns are backfilled from the rows they summarise. Links left open beside a newer one by
the re-issue race (several links active at once) are revoked first, so that only an
engagement's latest link can be open, as issuing a link now guarantees.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    "search_text",
    "last_activity_at",
    "link_revoked_at",
    "link_expires_at",
    "sow_sent_at",
    "response_status",
)

REVOKE_SUPERSEDED = """
UPDATE links SET revoked_at = :now
WHERE revoked_at IS NULL AND expires_at > :now
  AND id < (SELECT max(newer.id) FROM links AS newer WHERE newer.engagement_id = links.engagement_id)
"""

BACKFILL = """
UPDATE engagements SET
  search_text = lower(customer || ' ' || coalesce(project, '')),
  response_status = CASE
    WHEN EXISTS (SELECT 1 FROM responses AS r
                 WHERE r.engagement_id = engagements.id AND r.status = 'submitted') THEN 'submitted'
    WHEN EXISTS (SELECT 1 FROM responses AS r WHERE r.engagement_id = engagements.id) THEN 'draft'
  END,
  sow_sent_at = (SELECT max(v.sent_at) FROM sow_revisions AS v
                 JOIN sow_drafts AS d ON v.draft_id = d.id
                 WHERE d.engagement_id = engagements.id),
  link_expires_at = (SELECT l.expires_at FROM links AS l
                     WHERE l.engagement_id = engagements.id ORDER BY l.id DESC LIMIT 1),
  link_revoked_at = (SELECT l.revoked_at FROM links AS l
                     WHERE l.engagement_id = engagements.id ORDER BY l.id DESC LIMIT 1),
  last_activity_at = (SELECT max(a.at) FROM audit_events AS a
                      WHERE a.engagement_id = engagements.id)
"""


def upgrade() -> None:
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.String(length=401), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("response_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sow_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("link_revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True)
        )
    now = sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True))
    op.execute(sa.text(REVOKE_SUPERSEDED).bindparams(now))
    op.execute(sa.text(BACKFILL))
    op.create_index("ix_engagements_listing", "engagements", ["created_at", "id"])
    op.create_index(
        "ix_engagements_status_listing", "engagements", ["response_status", "created_at", "id"]
    )
    op.create_index("ix_engagements_search", "engagements", ["search_text"], **_trigrams())


def _trigrams() -> dict[str, Any]:
    """On PostgreSQL, a trigram index: ``pg_trgm`` (installed in ``public`` if it is not yet; a
    trusted extension since PostgreSQL 13, which the database's owner may install), its operator
    class named in full so that the index does not depend on the search path. Elsewhere, a
    plain index (unused by LIKE, kept so that the schema matches the models everywhere)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return {}
    schema = bind.execute(sa.text(FIND_TRIGRAMS)).scalar()
    if schema is None:
        op.execute("CREATE EXTENSION pg_trgm WITH SCHEMA public")
        schema = "public"
    return {"postgresql_using": "gin", "postgresql_ops": {"search_text": f"{schema}.gin_trgm_ops"}}


FIND_TRIGRAMS = """
SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_trgm'
"""


def downgrade() -> None:
    # pg_trgm stays: other objects may use it, and it holds no data.
    op.drop_index("ix_engagements_search", table_name="engagements")
    op.drop_index("ix_engagements_status_listing", table_name="engagements")
    op.drop_index("ix_engagements_listing", table_name="engagements")
    with op.batch_alter_table("engagements") as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
