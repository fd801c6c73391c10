"""Check and normalise answers, with error messages a customer can act on.

``parse_answer`` turns what a form posts, or a value from an answers file, into the normalised JSON
value that conditions and the SoW pre-filler read. ``conforms`` and ``display`` take stored values.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from . import answers_net as net
from .answers_net import AnswerError
from .model import (
    ChoiceQuestion,
    DateQuestion,
    DecimalQuestion,
    FileQuestion,
    HostnameQuestion,
    IntegerQuestion,
    IPAddressQuestion,
    LongTextQuestion,
    MultiChoiceQuestion,
    Question,
    RepeatQuestion,
    TextQuestion,
    YesNoQuestion,
)
from .types import JSON

__all__ = ["Invalid", "conforms", "display", "parse_answer"]


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
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINE = re.compile(r"\r\n?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Numbers stay below 10**15 so that JavaScript and JSON-Logic floats hold them exactly.
_LIMIT = 10**15
#: Questions answered by picking, not typing: text with control characters is not one of their
#: options (a forged form), and says so as any other value that is not an option would.
_NOT_AN_OPTION = {"choice": CHOICE, "multi_choice": CHOICES, "yes_no": YES_NO}
_YES = frozenset({"yes", "y", "true", "on"})
_NO = frozenset({"no", "n", "false", "off"})
_FILE_KEYS = frozenset({"id", "name", "size", "kind"})
_TEXT_TYPES = (
    "text", "long_text", "date", "email", "phone", "url", "timezone", "cidr", "ip_address",
    "hostname",
)  # fmt: skip


def parse_answer(question: Question, raw: object) -> JSON | Invalid:
    """The normalised answer, ``None`` when ``raw`` is blank, or ``Invalid``; never raises."""
    if raw is None:
        return None
    if isinstance(raw, str):
        # Checked before stripping: str.strip() takes U+001C to U+001F and U+0085 for
        # whitespace, so "yes\x1f" or "7\x85" would otherwise pass as "yes" and 7.
        if _CONTROL_MULTILINE.search(raw):
            return Invalid(_NOT_AN_OPTION.get(question.type, UNUSUAL))
        if not raw.strip():
            return None
    elif isinstance(raw, list | tuple) and not raw:
        return None
    return _PARSERS[question.type](question, raw)


def conforms(question: Question, value: JSON) -> bool:
    """Whether a stored value has the JSON shape of this question's answers (no parsing)."""
    return _SHAPES[question.type](question, value)


def display(question: Question, value: JSON) -> str:
    """The value as text for review pages and piping (labels, "Yes", "3 services"); never raises."""
    if value is None:
        return ""
    if question.type == "phone" and isinstance(value, str):
        return _international(value)
    show = _SHOW.get(question.type)
    return show(question, value) if show and conforms(question, value) else _fallback(value)


def _international(number: str) -> str:
    """A stored E.164 number as people write it, ``+44 113 496 0123``; as stored when it is not
    a valid number (answers are checked when given: a forged one), since its grouping would be a
    guess."""
    import phonenumbers  # on first use, as in answers_net: it loads every numbering plan

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Parsing ---------------------------------------------------------------------------------------


def _clean(raw: object, wrong_type: str, *, multiline: bool = False) -> str | Invalid:
    """The stripped text, or Invalid when ``raw`` is not a string or holds control characters."""
    if not isinstance(raw, str):
        return Invalid(wrong_type)
    text = raw.strip()
    control = _CONTROL_MULTILINE if multiline else _CONTROL
    return Invalid(UNUSUAL) if control.search(text) else text


def _checked(raw: object, check: Callable[[str], JSON], wrong_type: str) -> JSON | Invalid:
    """Clean ``raw`` and run ``check`` on it, turning its ``AnswerError`` into ``Invalid``."""
    text = _clean(raw, wrong_type)
    if isinstance(text, Invalid):
        return text
    try:
        return check(text)
    except AnswerError as error:
        return Invalid(str(error))


def _text(question: TextQuestion | LongTextQuestion, raw: object) -> JSON | Invalid:
    multiline = question.type == "long_text"
    text = _clean(raw, "Enter your answer as text", multiline=multiline)
    if isinstance(text, Invalid):
        return text
    text = _NEWLINE.sub("\n", text) if multiline else text
    if len(text) > question.max_length:
        return Invalid(f"Enter {question.max_length:,} characters or fewer")
    return text


def _read_number(raw: object, *, whole: bool) -> int | float | Invalid:
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
        return Invalid(f"Enter a number between {_number(low)} and {_number(high)}")
    if low is not None and value < low:
        return Invalid(f"Enter a number that is {_number(low)} or more")
    if high is not None and value > high:
        return Invalid(f"Enter a number that is {_number(high)} or less")
    return Invalid(FEWER_DIGITS) if abs(value) >= _LIMIT else value


def _integer(question: IntegerQuestion, raw: object) -> JSON | Invalid:
    value = _read_number(raw, whole=True)
    return value if isinstance(value, Invalid) else _bounded(value, question.min, question.max)


def _decimal(question: DecimalQuestion, raw: object) -> JSON | Invalid:
    value = _read_number(raw, whole=False)
    if not isinstance(value, Invalid):
        value = _bounded(value, question.min, question.max)
    return value if isinstance(value, Invalid) else float(value)


def _port(_question: object, raw: object) -> JSON | Invalid:
    value = _read_number(raw, whole=True)
    return value if isinstance(value, int) and 1 <= value <= 65535 else Invalid(PORT)


def _yes_no(_question: YesNoQuestion, raw: object) -> JSON | Invalid:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else ""
    if word in _YES or word in _NO:
        return word in _YES
    return Invalid(YES_NO)


def _choice(question: ChoiceQuestion, raw: object) -> JSON | Invalid:
    value = raw.strip() if isinstance(raw, str) else None
    return value if value in _values(question) else Invalid(CHOICE)


def _multi_choice(question: MultiChoiceQuestion, raw: object) -> JSON | Invalid:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        return Invalid(CHOICES)
    if any(_CONTROL_MULTILINE.search(item) for item in items):
        return Invalid(CHOICES)
    chosen = {item.strip() for item in items} - {""}
    if not chosen:
        return None
    if not chosen <= _values(question):
        return Invalid(CHOICES)
    if question.min_selected is not None and len(chosen) < question.min_selected:
        return Invalid(f"Select at least {_count(question.min_selected, 'option')}")
    if question.max_selected is not None and len(chosen) > question.max_selected:
        return Invalid(f"Select no more than {_count(question.max_selected, 'option')}")
    return [choice.value for choice in question.choices if choice.value in chosen]


def _date(question: DateQuestion, raw: object) -> JSON | Invalid:
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


def _time_zone(text: str) -> str:
    zone = _time_zones().get(text.replace(" ", "_").lower())
    if zone is None:
        raise AnswerError(TIMEZONE)
    return zone


def _file(question: FileQuestion, raw: object) -> JSON | Invalid:
    if not isinstance(raw, dict):
        return Invalid(FILE)
    file = {key: raw.get(key) for key in ("id", "name", "size", "kind")}
    size, kind = file["size"], file["kind"]
    if not (isinstance(file["id"], str) and isinstance(file["name"], str)):
        return Invalid(FILE)
    if _CONTROL.search(file["id"]) or _CONTROL.search(file["name"]):
        return Invalid(FILE_NAME)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0 or not isinstance(kind, str):
        return Invalid(FILE)
    if kind not in question.accept:
        kinds = [accepted.upper() for accepted in question.accept]
        article = "an" if kinds[0] == "XLSX" else "a"
        return Invalid(f"The selected file must be {article} {_or_list(kinds)}")
    if size > question.max_size_mb * 1024 * 1024:
        return Invalid(f"The selected file must be smaller than {_number(question.max_size_mb)} MB")
    return file


def _repeat(question: RepeatQuestion, raw: object) -> JSON | Invalid:
    if isinstance(raw, list | tuple) and all(isinstance(record, dict) for record in raw):
        return [dict(record) for record in raw]
    return Invalid(f"Enter the details of each {_noun(question.item_label)}")


def _ip_address(question: IPAddressQuestion, raw: object) -> JSON | Invalid:
    message = net.IP_MESSAGES[question.version]
    return _checked(raw, lambda text: net.ip_address(text, question.version), message)


def _hostname(question: HostnameQuestion, raw: object) -> JSON | Invalid:
    message = net.FQDN_MESSAGE if question.fqdn else net.HOSTNAME_MESSAGE
    return _checked(raw, lambda text: net.hostname(text, fqdn=question.fqdn), message)


def _via(check: Callable[[str], JSON], message: str) -> Parser:
    """A parser that cleans the text and hands it to ``check``."""
    return lambda _question, raw: _checked(raw, check, message)


_PARSERS: dict[str, Parser] = {
    "text": _text,
    "long_text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "yes_no": _yes_no,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "date": _date,
    "email": _via(net.email, net.EMAIL_MESSAGE),
    "phone": _via(net.phone, net.PHONE_MESSAGE),
    "url": _via(net.url, net.URL_MESSAGE),
    "timezone": _via(_time_zone, TIMEZONE),
    "cidr": _via(net.cidr, net.CIDR_MESSAGE),
    "port": _port,
    "ip_address": _ip_address,
    "hostname": _hostname,
    "file": _file,
    "repeat": _repeat,
}


# Shapes and display ----------------------------------------------------------------------------


def _values(question: ChoiceQuestion | MultiChoiceQuestion) -> frozenset[str]:
    # Built per call: questions whose rules hold dicts are not hashable, so they cannot be cached.
    return frozenset(choice.value for choice in question.choices)


def _is_int(value: JSON) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_choice(question: ChoiceQuestion, value: JSON) -> bool:
    return isinstance(value, str) and any(choice.value == value for choice in question.choices)


def _is_choices(question: MultiChoiceQuestion, value: JSON) -> bool:
    if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return False
    return set(value) <= _values(question)


def _is_file(value: JSON) -> bool:
    """An upload's record: its values typed too, so a stored one cannot smuggle in other data."""
    if not (isinstance(value, dict) and value.keys() >= _FILE_KEYS):
        return False
    texts = (value["id"], value["name"], value["kind"])
    return all(isinstance(text, str) for text in texts) and _is_int(value["size"])


_SHAPES: dict[str, Callable[[Any, JSON], bool]] = {
    **dict.fromkeys(_TEXT_TYPES, lambda _q, value: isinstance(value, str)),
    "integer": lambda _q, value: _is_int(value),
    "port": lambda _q, value: _is_int(value),
    "decimal": lambda _q, value: (
        _is_int(value) or (isinstance(value, float) and math.isfinite(value))
    ),
    "yes_no": lambda _q, value: isinstance(value, bool),
    "choice": _is_choice,
    "multi_choice": _is_choices,
    "file": lambda _q, value: _is_file(value),
    "repeat": lambda _q, value: (
        isinstance(value, list) and all(isinstance(record, dict) for record in value)
    ),
}


def _number(value: float) -> str:
    """A number without a trailing ``.0``; integers too long to print are summarised."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    try:
        return repr(value) if isinstance(value, float) else str(value)
    except ValueError:  # int beyond Python's 4300-digit limit for str()
        return "a very large number"


def _fallback(value: JSON) -> str:
    """Text for a value of an unexpected shape: strings and numbers as they are, else nothing."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return _number(value)
    return value if isinstance(value, str) else ""


def _labels(question: ChoiceQuestion | MultiChoiceQuestion, values: Iterable[str]) -> str:
    labels = {choice.value: choice.label for choice in question.choices}
    return ", ".join(labels.get(value, value) for value in values)


def _noun(label: str) -> str:
    """``item_label`` as a noun inside a sentence: lower-cased unless it starts with an acronym."""
    words = label.split()
    return label if words and words[0].isupper() else label[:1].lower() + label[1:]


def _count(count: int, noun: str) -> str:
    """``"1 service"``, ``"2 services"``, ``"3 addresses"``: English plurals, naively."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return f"{count} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


_SHOW: dict[str, Callable[[Any, JSON], str]] = {
    "yes_no": lambda _q, value: "Yes" if value else "No",
    "choice": lambda q, value: _labels(q, [value]),
    "multi_choice": _labels,
    "file": lambda _q, value: _fallback(value["name"]),
    "repeat": lambda q, value: _count(len(value), _noun(q.item_label)),
}
