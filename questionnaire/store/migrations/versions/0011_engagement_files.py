"""Engagement files kept for a set time after completion, and holds.

``engagement_files`` holds the files engineers attach to an engagement (named on disk by their
random id, like ``uploads``); ``engagement_holds`` one row per engagement whose files the
retention purge must leave alone.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "engagement_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_engagement_files_engagement_id", "engagement_files", ["engagement_id"], unique=False
    )
    op.create_table(
        "engagement_holds",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("held_by", sa.String(length=254), nullable=False),
        sa.Column("held_at", STAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id"),
    )


def downgrade() -> None:
    op.drop_table("engagement_holds")
    op.drop_index("ix_engagement_files_engagement_id", table_name="engagement_files")
    op.drop_table("engagement_files")
