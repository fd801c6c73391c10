"""The customer's way through a questionnaire, behind a one-time link: ``/r/<token>/...``."""

from . import answering, finish, records
from .blueprint import bp

__all__ = ["answering", "bp", "finish", "records"]
