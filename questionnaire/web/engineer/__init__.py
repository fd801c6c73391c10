"""The engineers' workspace: engagements, links, answers, files, and Statements of Work."""

from . import documents, engagements
from .blueprint import bp

__all__ = ["bp", "documents", "engagements"]
