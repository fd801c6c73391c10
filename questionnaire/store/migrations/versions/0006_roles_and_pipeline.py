"""Roles for accounts, and the engagement's place on the pipeline board.

Accounts made before roles existed could do everything, so each keeps that: engineer, lead and
admin (an admin can take roles away). Existing engagements are placed on the board where their
state puts them: a submitted questionnaire in Statement of Work (or Planned, once a SoW was
sent), one started or invited in Discovery, the rest in Pipeline.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "role"),
    )
    with op.batch_alter_table("engagements") as batch:
        batch.add_column(
            sa.Column(
                "pipeline_stage", sa.String(length=20), nullable=False, server_default="pipeline"
            )
        )
        batch.add_column(sa.Column("stage_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("engineer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch.create_foreign_key(
            "fk_engagements_engineer_id_users",
            "users",
            ["engineer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_engagements_board", ["pipeline_stage", "stage_since"])
    op.execute(
        """UPDATE engagements SET stage_since = created_at, pipeline_stage = CASE
             WHEN sow_sent_at IS NOT NULL THEN 'planned'
             WHEN response_status = 'submitted' THEN 'sow'
             WHEN response_status IS NOT NULL OR link_expires_at IS NOT NULL THEN 'discovery'
             ELSE 'pipeline' END"""
    )
    with op.batch_alter_table("engagements") as batch:
        batch.alter_column("stage_since", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.execute(
        "INSERT INTO user_roles (user_id, role) SELECT id, r.role FROM users CROSS JOIN "
        "(SELECT 'engineer' AS role UNION ALL SELECT 'lead' UNION ALL SELECT 'admin') AS r"
    )


def downgrade() -> None:
    with op.batch_alter_table("engagements") as batch:
        batch.drop_index("ix_engagements_board")
        batch.drop_constraint("fk_engagements_engineer_id_users", type_="foreignkey")
        for column in ("contact_phone", "contact_email", "contact_name", "engineer_id",
                       "stage_since", "pipeline_stage"):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("user_roles")
