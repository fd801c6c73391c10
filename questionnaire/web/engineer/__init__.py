"""The engineers' workspace: engagements, links, answers, files, Statements of Work, the Outbox,
accounts."""

from . import admin, documents, engagements, outbox
from .blueprint import bp

__all__ = ["admin", "bp", "documents", "engagements", "outbox"]
