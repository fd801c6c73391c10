"""The engineers' workspace: engagements, links, answers, files, Statements of Work, booking
links and availability, the Outbox, accounts."""

from . import (
    admin,
    availability,
    board,
    booking,
    closeout,
    documents,
    engagements,
    files,
    handover,
    handover_doc,
    invitations,
    outbox,
    pdr,
    ps_acceptance,
    sessions,
    sow_sending,
    validation,
)
from .blueprint import bp

__all__ = [
    "admin",
    "availability",
    "board",
    "booking",
    "bp",
    "closeout",
    "documents",
    "engagements",
    "files",
    "handover",
    "handover_doc",
    "invitations",
    "outbox",
    "pdr",
    "ps_acceptance",
    "sessions",
    "sow_sending",
    "validation",
]
