"""What the answer checks share: the refusal, its messages, cleaning typed text, and wording.

Split from ``answers`` to keep it short. ``Invalid`` is importable from ``answers`` as it always
was; the parsers of each kind of answer (``answers_numbers``, ``answers_choices``,
``answers_text``, ``answers_records``) build their messages from the pieces here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .answers_net import AnswerError
from .types import JSON


@dataclass(frozen=True)
class Invalid:
    """An answer was refused; ``message`` tells the customer what to do instead."""

    message: str


Parser = Callable[[Any, object], JSON]

UNUSUAL = "Remove the unusual characters from your answer"
WHOLE = "Enter a whole number"
NUMBER = "Enter a number"
FEWER_DIGITS = "Enter a number with fewer digits"
PORT = "Enter a port number between 1 and 65535"
YES_NO = "Select yes or no"
CHOICE = "Select one of the options"
CHOICES = "Select from the options shown"
DATE = "Enter a date in the format 2026-11-30"
REAL_DATE = "Enter a real date in the format 2026-11-30"
TIMEZONE = "Enter a time zone such as Europe/London"
FILE = "Select a file"
FILE_NAME = "The selected file's name has unusual characters: rename the file and select it again"

# Control characters (and lone surrogates, which cannot be stored as UTF-8): all of them in one
# line of text; all but tab, line feed and carriage return anywhere else.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(raw: object, wrong_type: str, *, multiline: bool = False) -> str | Invalid:
    """The stripped text, or Invalid when ``raw`` is not a string or holds control characters."""
    if not isinstance(raw, str):
        return Invalid(wrong_type)
    text = raw.strip()
    control = CONTROL_MULTILINE if multiline else CONTROL
    return Invalid(UNUSUAL) if control.search(text) else text


def checked(raw: object, check: Callable[[str], JSON], wrong_type: str) -> JSON | Invalid:
    """Clean ``raw`` and run ``check`` on it, turning its ``AnswerError`` into ``Invalid``."""
    text = clean(raw, wrong_type)
    if isinstance(text, Invalid):
        return text
    try:
        return check(text)
    except AnswerError as error:
        return Invalid(str(error))


# Wording ---------------------------------------------------------------------------------------


def format_number(value: float) -> str:
    """A number without a trailing ``.0``; integers too long to print are summarised."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    try:
        return repr(value) if isinstance(value, float) else str(value)
    except ValueError:  # int beyond Python's 4300-digit limit for str()
        return "a very large number"


def as_noun(label: str) -> str:
    """``item_label`` as a noun inside a sentence: lower-cased unless it starts with an acronym."""
    words = label.split()
    return label if words and words[0].isupper() else label[:1].lower() + label[1:]


def counted(count: int, noun: str) -> str:
    """``"1 service"``, ``"2 services"``, ``"3 addresses"``: English plurals, naively."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return f"{count} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
