"""Number answers: integers, decimals and ports, from JSON numbers or form text.

Split from ``answers`` to keep it short. Numbers stay finite and below 10**15, so that JavaScript
and JSON-Logic floats hold them exactly.
"""

from __future__ import annotations

import math
import re

from .answers_common import FEWER_DIGITS, NUMBER, PORT, WHOLE, Invalid, format_number
from .model import DecimalQuestion, IntegerQuestion
from .types import JSON

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Numbers stay below 10**15 so that JavaScript and JSON-Logic floats hold them exactly.
_LIMIT = 10**15


def read_number(raw: object, *, whole: bool) -> int | float | Invalid:
    """A finite int or float from a JSON number or form text ("+5", " 2.5 ")."""
    message = WHOLE if whole else NUMBER
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER.fullmatch(text):
            return Invalid(message)
        if "." in text and whole:
            return Invalid(WHOLE)
        if len(text) > 40:  # also keeps int() far from its 4300-digit limit
            return Invalid(FEWER_DIGITS)
        raw = float(text) if "." in text else int(text)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return Invalid(message)
    if isinstance(raw, float) and not (math.isfinite(raw) and (raw.is_integer() or not whole)):
        return Invalid(message)
    return int(raw) if whole else raw


def _bounded(value: int | float, low: float | None, high: float | None) -> int | float | Invalid:
    """``value`` when it lies within the question's bounds and our size limit."""
    if low is not None and high is not None and not low <= value <= high:
        return Invalid(f"Enter a number between {format_number(low)} and {format_number(high)}")
    if low is not None and value < low:
        return Invalid(f"Enter a number that is {format_number(low)} or more")
    if high is not None and value > high:
        return Invalid(f"Enter a number that is {format_number(high)} or less")
    return Invalid(FEWER_DIGITS) if abs(value) >= _LIMIT else value


def parse_integer(question: IntegerQuestion, raw: object) -> JSON | Invalid:
    value = read_number(raw, whole=True)
    return value if isinstance(value, Invalid) else _bounded(value, question.min, question.max)


def parse_decimal(question: DecimalQuestion, raw: object) -> JSON | Invalid:
    value = read_number(raw, whole=False)
    if not isinstance(value, Invalid):
        value = _bounded(value, question.min, question.max)
    return value if isinstance(value, Invalid) else float(value)


def parse_port(_question: object, raw: object) -> JSON | Invalid:
    value = read_number(raw, whole=True)
    return value if isinstance(value, int) and 1 <= value <= 65535 else Invalid(PORT)


def is_int(value: JSON) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_decimal(value: JSON) -> bool:
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))
