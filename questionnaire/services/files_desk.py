"""The engineers' Files page of an engagement: every file it holds, and how long it is kept.

The page lists the files engineers attached (``services/engagement_files.py``) and the customer's
questionnaire uploads, each with the day it will be deleted (``services/retention.py``); a
download is sent as an attachment under the name it was uploaded with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.files import EngagementFile, EngagementHold
from questionnaire.store.models import Engagement, Response, Upload

from . import engagement_files, retention
from .engagement_desk import Download
from .filetypes import KIND_MEDIA_TYPES, KIND_NAMES
from .settings import Settings
from .sow_desk import NotFound, engagement

__all__ = ["Download", "FilesPage", "download", "kept_words", "page", "period_words"]


@dataclass(frozen=True)
class FilesPage:
    """Everything the Files page shows, loaded."""

    engagement: Engagement
    files: list[EngagementFile]
    #: The customer's uploads to the engagement's questionnaires.
    answered: list[Upload]
    kept_until: datetime | None
    hold: EngagementHold | None
    #: How long files are kept after completion, in words ("a year").
    period: str
    max_mb: int
    kinds: list[str]


def page(db: Session, settings: Settings, engagement_id: int) -> FilesPage:
    found = engagement(db, engagement_id)
    answered = db.scalars(
        select(Upload).join(Response, Upload.response_id == Response.id)
        .where(Response.engagement_id == engagement_id)
        .order_by(Upload.created_at, Upload.id)
    ).all()  # fmt: skip
    kept = retention.retention_of(db, settings, engagement_id)
    return FilesPage(
        engagement=found,
        files=engagement_files.files_of(db, engagement_id),
        answered=list(answered),
        kept_until=kept.kept_until,
        hold=kept.hold,
        period=period_words(settings.file_retention_days),
        max_mb=settings.engagement_file_max_mb,
        kinds=[KIND_NAMES[kind] for kind in engagement_files.ACCEPTED_KINDS],
    )


def period_words(days: int) -> str:
    """``a year`` for 365 days, ``2 years`` for 730, else ``90 days``."""
    years, rest = divmod(days, 365)
    if rest or not years:
        return f"{days} day" + ("" if days == 1 else "s")
    return "a year" if years == 1 else f"{years} years"


def kept_words(files: FilesPage) -> str:
    """What the page says of every file's date: on hold, a date, or not until completion."""
    if files.hold is not None:
        return "On hold: not deleted"
    if files.kept_until is None:
        return f"Kept until {files.period} after completion"
    return f"Kept until {files.kept_until:%-d %B %Y}"


def download(db: Session, settings: Settings, engagement_id: int, file_id: str) -> Download:
    """One of the engagement's files, to be sent as an attachment under its original name."""
    file = engagement_files.file_of(db, engagement_id, file_id)
    path = engagement_files.path_of(settings, file)
    if not path.is_file():
        raise NotFound("The file is missing from storage.")
    media_type = KIND_MEDIA_TYPES.get(file.kind, "application/octet-stream")
    return Download(path, media_type, file.original_name)
