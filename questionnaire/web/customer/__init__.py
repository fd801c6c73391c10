"""The customer's way through a questionnaire, behind a one-time link: ``/r/<token>/...``; and
the customer's review of a sent Statement of Work, behind a link of its own: ``/s/<token>/...``."""

from . import answering, finish, records, sow, sow_actions
from .blueprint import bp
from .sow import bp as sow_bp

__all__ = ["answering", "bp", "finish", "records", "sow", "sow_actions", "sow_bp"]
