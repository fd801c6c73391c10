"""Close-out: completion, the machine-readable record and its webhook deliveries.

``support_notes`` holds the engineer's notes for support (one row per engagement);
``engagement_completions`` when the customer accepted the acceptance document and who (unique
per engagement); ``support_handover_exports`` the support handover document per format;
``outgoing_webhooks`` the completion record's deliveries (an outbox, unique delivery id); and
``implementation_sessions.days_used`` the PS days a session used (empty on older sessions).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def _engagement(ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete=ondelete)


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        "support_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("knowledge", sa.Text(), nullable=False),
        sa.Column("network", sa.Text(), nullable=False),
        sa.Column("connection", sa.Text(), nullable=False),
        sa.Column("left_as", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        _engagement(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )
    op.create_table(
        "engagement_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", STAMP, nullable=False),
        sa.Column("accepted_by", sa.String(length=254), nullable=False),
        _engagement(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id"),
    )
    op.create_table(
        "support_handover_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("status", _status("exportstatus", "queued", "ready", "failed"), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("ready_at", STAMP, nullable=True),
        _engagement(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engagement_id", "format"),
    )
    op.create_table(
        "outgoing_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status", _status("webhookstatus", "queued", "delivered", "failed"), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("delivered_at", STAMP, nullable=True),
        _engagement("SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
    )
    op.create_index(
        op.f("ix_outgoing_webhooks_engagement_id"), "outgoing_webhooks", ["engagement_id"]
    )
    with op.batch_alter_table("implementation_sessions") as batch:
        batch.add_column(sa.Column("days_used", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("implementation_sessions") as batch:
        batch.drop_column("days_used")
    op.drop_index(op.f("ix_outgoing_webhooks_engagement_id"), table_name="outgoing_webhooks")
    op.drop_table("outgoing_webhooks")
    op.drop_table("support_handover_exports")
    op.drop_table("engagement_completions")
    op.drop_table("support_notes")
