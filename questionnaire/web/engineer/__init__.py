"""The engineers' workspace: engagements, links, answers, files, Statements of Work, the Outbox,
accounts."""

from . import (
    admin,
    board,
    documents,
    engagements,
    handover,
    invitations,
    outbox,
    pdr,
    sessions,
    sow_sending,
)
from .blueprint import bp

__all__ = [
    "admin",
    "board",
    "bp",
    "documents",
    "engagements",
    "handover",
    "invitations",
    "outbox",
    "pdr",
    "sessions",
    "sow_sending",
]
