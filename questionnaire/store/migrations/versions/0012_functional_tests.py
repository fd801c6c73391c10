"""The customer handover document's functional tests, and the documents issued from them.

``functional_tests`` holds each test of a virtual service or GSLB configuration (several per
target), its evidence one of the engagement's files (set to null when retention purges it);
``handover_documents`` each issued document, numbered per engagement (unique, so two issues
cannot both get one number), with the PDR revision it was built from and its Markdown;
``handover_exports`` each document's rendered formats.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "functional_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_name", sa.String(length=200), nullable=False),
        sa.Column("what_tested", sa.Text(), nullable=False),
        sa.Column("expected", sa.Text(), nullable=False),
        sa.Column("actual", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("tested_on", sa.Date(), nullable=False),
        sa.Column("evidence_file_id", sa.String(length=32), nullable=True),
        sa.Column("recorded_by", sa.String(length=254), nullable=False),
        sa.Column("recorded_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["evidence_file_id"], ["engagement_files.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_functional_tests_engagement_id", "functional_tests", ["engagement_id"], unique=False
    )
    op.create_table(
        "handover_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("pdr_revision", sa.Integer(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("issued_by", sa.String(length=254), nullable=False),
        sa.Column("issued_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id", "number"),
    )
    op.create_table(
        "handover_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(["document_id"], ["handover_documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "format"),
    )


def downgrade() -> None:
    op.drop_table("handover_exports")
    op.drop_table("handover_documents")
    op.drop_index("ix_functional_tests_engagement_id", table_name="functional_tests")
    op.drop_table("functional_tests")
