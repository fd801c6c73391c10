"""Answers typed as text: free text, dates and time zones.

Split from ``answers`` to keep it short. Addresses, hostnames and the other text checked against
a format are in ``answers_net``.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from functools import cache

from .answers_common import DATE, REAL_DATE, TIMEZONE, Invalid, clean
from .answers_net import AnswerError
from .model import DateQuestion, LongTextQuestion, TextQuestion
from .types import JSON

_NEWLINE = re.compile(r"\r\n?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_text(question: TextQuestion | LongTextQuestion, raw: object) -> JSON | Invalid:
    multiline = question.type == "long_text"
    text = clean(raw, "Enter your answer as text", multiline=multiline)
    if isinstance(text, Invalid):
        return text
    text = _NEWLINE.sub("\n", text) if multiline else text
    if len(text) > question.max_length:
        return Invalid(f"Enter {question.max_length:,} characters or fewer")
    return text


def parse_date(question: DateQuestion, raw: object) -> JSON | Invalid:
    text = raw.strip() if isinstance(raw, str) else ""
    if not _ISO_DATE.fullmatch(text):
        return Invalid(DATE)
    try:
        date.fromisoformat(text)
    except ValueError:
        return Invalid(REAL_DATE)
    # ISO dates compare correctly as strings, and the bounds are only checked against a pattern.
    # Bounds relative to today move every day: the flow checks them (dates.py), keeping the answer.
    low, high = (b if b is None or b[:1].isdigit() else None for b in (question.min, question.max))
    if low is not None and high is not None and not low <= text <= high:
        return Invalid(f"Enter a date between {low} and {high}")
    if low is not None and text < low:
        return Invalid(f"Enter a date on or after {low}")
    if high is not None and text > high:
        return Invalid(f"Enter a date on or before {high}")
    return text


@cache
def _time_zones() -> dict[str, str]:
    """IANA zone names keyed by their lower-case form, read once because listing them reads disk."""
    names = zoneinfo.available_timezones() - {"localtime", "Factory"}
    return {name.lower(): name for name in names}


def time_zone(text: str) -> str:
    zone = _time_zones().get(text.replace(" ", "_").lower())
    if zone is None:
        raise AnswerError(TIMEZONE)
    return zone
