"""The Project Detail Record (PDR) with its revisions and exports, and implementation sessions.

``pdrs`` holds one record per engagement (unique ``engagement_id``); ``pdr_revisions`` its
numbered versions as JSON, unique per record and number so two saves of one revision cannot both
land; ``pdr_exports`` each revision's rendered documents; ``implementation_sessions`` what each
session did and its "Complete?" answer.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pdrs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["draft_id"], ["sow_drafts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )
    op.create_table(
        "pdr_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pdr_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("author", sa.String(length=254), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["pdr_id"], ["pdrs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pdr_id", "number"),
    )
    op.create_table(
        "pdr_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "ready", "failed", name="exportstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("stored_name", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("ready_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["revision_id"], ["pdr_revisions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("revision_id", "format"),
    )
    op.create_table(
        "implementation_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=True),
        sa.Column("engineer_name", sa.String(length=200), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("revision_before", sa.Integer(), nullable=True),
        sa.Column("revision_after", sa.Integer(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engineer_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_implementation_sessions_engagement_id", "implementation_sessions", ["engagement_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_implementation_sessions_engagement_id", table_name="implementation_sessions")
    op.drop_table("implementation_sessions")
    op.drop_table("pdr_exports")
    op.drop_table("pdr_revisions")
    op.drop_table("pdrs")
