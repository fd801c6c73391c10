"""Persistence: the database session, typed models and Alembic migrations."""

# Every model module, so ``models.Base.metadata`` (what Alembic compares) holds every table.
from . import bookings, closeout, delivery, files, handover, models, reviews

__all__ = ["bookings", "closeout", "delivery", "files", "handover", "models", "reviews"]
