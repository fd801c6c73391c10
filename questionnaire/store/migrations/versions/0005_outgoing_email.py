"""The outbox of outgoing email: one row per message, sent by the worker.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "outgoing_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("template", sa.String(length=63), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("sender", sa.String(length=500), nullable=False),
        sa.Column("recipients", JSON, nullable=False),
        sa.Column("reply_to", sa.String(length=500), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("attachments", JSON, nullable=False),
        sa.Column("status", sa.Enum("queued", "sent", "failed", name="emailstatus",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("send_round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery", sa.String(length=500), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )  # fmt: skip
    op.create_index("ix_outgoing_emails_created", "outgoing_emails", ["created_at", "id"])
    op.create_index("ix_outgoing_emails_engagement_id", "outgoing_emails", ["engagement_id"])


def downgrade() -> None:
    op.drop_index("ix_outgoing_emails_engagement_id", table_name="outgoing_emails")
    op.drop_index("ix_outgoing_emails_created", table_name="outgoing_emails")
    op.drop_table("outgoing_emails")
