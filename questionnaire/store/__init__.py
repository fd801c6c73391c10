"""Persistence: the database session, typed models and Alembic migrations."""
