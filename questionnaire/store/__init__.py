"""Persistence: the database session, typed models and Alembic migrations."""

# Every model module, so ``models.Base.metadata`` (what Alembic compares) holds every table.
from . import (
    accounts,
    base,
    bookings,
    closeout,
    delivery,
    engagements,
    files,
    handover,
    models,
    outbox,
    responses,
    reviews,
    sow,
)

__all__ = [
    "accounts",
    "base",
    "bookings",
    "closeout",
    "delivery",
    "engagements",
    "files",
    "handover",
    "models",
    "outbox",
    "responses",
    "reviews",
    "sow",
]
