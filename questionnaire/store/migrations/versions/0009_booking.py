"""Booking links: engineers' availability and private feeds, links, bookings, calendar feeds.

``bookings`` can never hold two confirmed bookings of one engineer that overlap: on
PostgreSQL an exclusion constraint says so (``btree_gist`` gives GiST the ``=`` on the
engineer's id; the extension is made here if missing and left in place on downgrade, since
other schemas of the database may use it). SQLite has no exclusion constraints: the booking's
guarded insert keeps the rule there (``store/bookings.py``). One booking per link: a unique
``link_id``.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
STAMP = sa.DateTime(timezone=True)
NO_OVERLAP = "ex_bookings_engineer_no_overlap"


def upgrade() -> None:
    op.create_table(
        "engineer_calendars",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("availability", JSON, nullable=True),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column("feed_issued_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("feed_token_hash"),
    )
    op.create_table(
        "booking_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("revoked_at", STAMP, nullable=True),
        sa.Column("used_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engineer_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_booking_links_engagement_id", "booking_links", ["engagement_id"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("starts_at", STAMP, nullable=False),
        sa.Column("ends_at", STAMP, nullable=False),
        sa.Column("customer_name", sa.String(length=200), nullable=False),
        sa.Column("customer_email", sa.String(length=254), nullable=False),
        sa.Column("customer_zone", sa.String(length=64), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("confirmed", "cancelled", name="bookingstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["booking_links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engineer_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_id"),
        sa.UniqueConstraint("uid"),
    )
    op.create_index("ix_bookings_engagement_id", "bookings", ["engagement_id"])
    op.create_index("ix_bookings_engineer_start", "bookings", ["engineer_id", "starts_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE bookings ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist "
            "(engineer_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
            "WHERE (status = 'confirmed')"
        )
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engineer_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("added_at", STAMP, nullable=False),
        sa.Column("fetched_at", STAMP, nullable=True),
        sa.Column("good_at", STAMP, nullable=True),
        sa.Column("busy", JSON, nullable=True),
        sa.Column("busy_from", STAMP, nullable=True),
        sa.Column("busy_until", STAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["engineer_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("engineer_id"),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_index("ix_bookings_engineer_start", table_name="bookings")
    op.drop_index("ix_bookings_engagement_id", table_name="bookings")
    op.drop_table("bookings")  # its exclusion constraint goes with it
    op.drop_index("ix_booking_links_engagement_id", table_name="booking_links")
    op.drop_table("booking_links")
    op.drop_table("engineer_calendars")
