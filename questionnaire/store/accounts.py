"""Our people who sign in (engineers, sales, leads, admins) and the roles each holds.

Split from ``models`` to keep it short (``models`` still exports these names).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Role(enum.StrEnum):
    """What an account may do; one account may hold several."""

    SALES = "sales"  # hands engagements over
    LEAD = "lead"  # the services lead: assigns engineers
    ENGINEER = "engineer"  # delivers engagements
    ADMIN = "admin"  # manages accounts


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(Base):
    """A person of ours who signs in. ``session_nonce`` is part of the login cookie: changing it
    logs out everywhere (logout, deactivation)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    session_nonce: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)
