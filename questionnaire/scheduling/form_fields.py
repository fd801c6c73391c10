"""Reading single fields of plain data (what forms post, what JSON holds) with messages.

Each reader adds a message to ``FieldErrors`` and returns None (or a placeholder) instead of
raising, so one pass over a form reports every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

__all__ = [
    "FieldError",
    "FieldErrors",
    "NumberField",
    "Refused",
    "calendar_date",
    "clock_time",
    "listed",
    "whole_number",
]

_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# ASCII digits only: str.isdigit() would take "٦٠", and int() would read it as 60.
_DIGITS = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field; ``field`` is its dotted path in the plain data."""

    field: str
    message: str


@dataclass(frozen=True)
class Refused:
    """The data was not saved; each error names its field."""

    errors: tuple[FieldError, ...]

    def message_for(self, field: str) -> str | None:
        return next((error.message for error in self.errors if error.field == field), None)


class FieldErrors:
    """Collects field errors while the data is read."""

    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.found.append(FieldError(field, message))


@dataclass(frozen=True)
class NumberField:
    """A whole number in a range and steps, and how a message names it and its unit."""

    key: str
    noun: str
    unit: str
    least: int
    most: int
    step: int = 1


def listed(value: object, field: str, most: int, what: str, errors: FieldErrors) -> list[Any]:
    if not isinstance(value, list):
        errors.add(field, f"Enter the {what} as a list")
        return []
    if len(value) > most:
        errors.add(field, f"Enter no more than {most} {what}")
        return []
    return value


def clock_time(value: object, field: str, noun: str, errors: FieldErrors) -> time | None:
    """A time of day as ``09:00`` (or ``9:00``), on the quarter hour."""
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        errors.add(field, f"Enter {noun} in the 24-hour format, such as 09:00")
        return None
    parsed = time(int(match[1]), int(match[2]))
    if parsed.minute % 15:
        errors.add(field, f"Enter {noun} on the quarter hour, such as 09:15")
        return None
    return parsed


def calendar_date(value: object, field: str, noun: str, errors: FieldErrors) -> date | None:
    text = value.strip() if isinstance(value, str) else ""
    if not _DATE.fullmatch(text):
        errors.add(field, f"Enter {noun} in the format 2027-03-29")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.add(field, f"Enter {noun} as a real date, such as 2027-03-29")
        return None


def whole_number(value: object, field: str, number: NumberField, errors: FieldErrors) -> int | None:
    """An int, or a string of digits as a form posts it; never a bool or a float."""
    text = (
        str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    )
    if not _DIGITS.fullmatch(text):
        errors.add(field, f"Enter {number.noun} as a whole number of {number.unit}")
        return None
    parsed = int(text)
    if not number.least <= parsed <= number.most:
        errors.add(
            field, f"Enter {number.noun} between {number.least} and {number.most} {number.unit}"
        )
        return None
    if parsed % number.step:
        errors.add(field, f"Enter {number.noun} in steps of {number.step} {number.unit}")
        return None
    return parsed
