"""The customer's review of a sent SoW, its acceptance, and questionnaire reminders.

``sow_review_links`` are the customer's links to one sent revision (only a SHA-256 of the token
is stored, as for questionnaire links). ``sow_acceptances`` records who accepted which revision
with what document hash; one per draft, so parallel acceptances cannot record two. Change
requests gain where they came from (an engineer noting one, or the customer on the review page)
and per-section comments. Engagements gain the switch for automatic questionnaire reminders.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sow_review_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["revision_id"], ["sow_revisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_sow_review_links_revision_id", "sow_review_links", ["revision_id"])
    op.create_table(
        "sow_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("review_link_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("authorised", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", STAMP, nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_name", sa.String(length=255), nullable=False),
        sa.Column("record_stored_name", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["sow_drafts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["revision_id"], ["sow_revisions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["review_link_id"], ["sow_review_links.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id"),
    )
    with op.batch_alter_table("sow_revision_requests") as batch:
        batch.add_column(
            sa.Column("from_customer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("sections", JSON, nullable=True))
    with op.batch_alter_table("engagements") as batch:
        batch.add_column(
            sa.Column(
                "questionnaire_reminders", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("engagements") as batch:
        batch.drop_column("questionnaire_reminders")
    with op.batch_alter_table("sow_revision_requests") as batch:
        batch.drop_column("sections")
        batch.drop_column("from_customer")
    op.drop_table("sow_acceptances")
    op.drop_index("ix_sow_review_links_revision_id", table_name="sow_review_links")
    op.drop_table("sow_review_links")
