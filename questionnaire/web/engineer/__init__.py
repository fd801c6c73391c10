"""The engineers' workspace: engagements, links, answers, files, Statements of Work, the Outbox."""

from . import documents, engagements, outbox
from .blueprint import bp

__all__ = ["bp", "documents", "engagements", "outbox"]
