"""One review-and-acceptance mechanism for the SoW and the acceptance document.

The SoW's drafts become documents of a kind: ``sow_drafts.kind`` (every existing row a
``sow``) and a ``response_id`` that may be empty (the Customer PS Acceptance Document answers
no questionnaire). Revisions, exports, change requests, review links and acceptances hang off a
draft already, so they serve both kinds unchanged; the acceptance's unique draft is now "one
acceptance per document".

Going down removes the documents that are not SoWs, and everything hanging off them, first
(SQLite enforces no foreign keys while migrating, so each table is cleared by hand).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# What a downgrade removes: every draft that is not a SoW, and what hangs from it, children first.
# Written out in full (no string building), so each statement reads as it runs.
_REMOVE_OTHER_DRAFTS = (
    "DELETE FROM sow_acceptances WHERE draft_id IN (SELECT id FROM sow_drafts WHERE kind <> 'sow')",
    "DELETE FROM sow_review_links WHERE revision_id IN (SELECT id FROM sow_revisions WHERE"
    " draft_id IN (SELECT id FROM sow_drafts WHERE kind <> 'sow'))",
    "DELETE FROM exports WHERE revision_id IN (SELECT id FROM sow_revisions WHERE"
    " draft_id IN (SELECT id FROM sow_drafts WHERE kind <> 'sow'))",
    "DELETE FROM sow_revision_requests WHERE draft_id IN"
    " (SELECT id FROM sow_drafts WHERE kind <> 'sow')",
    "UPDATE pdrs SET draft_id = NULL WHERE draft_id IN"
    " (SELECT id FROM sow_drafts WHERE kind <> 'sow')",
    "DELETE FROM sow_revisions WHERE draft_id IN (SELECT id FROM sow_drafts WHERE kind <> 'sow')",
    "DELETE FROM sow_drafts WHERE kind <> 'sow'",
)


def upgrade() -> None:
    with op.batch_alter_table("sow_drafts") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), server_default="sow", nullable=False)
        )
        batch.alter_column("response_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    for statement in _REMOVE_OTHER_DRAFTS:
        op.execute(statement)
    with op.batch_alter_table("sow_drafts") as batch:
        batch.alter_column("response_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("kind")
