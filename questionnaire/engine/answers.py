"""Check and normalise answers, with error messages a customer can act on.

``parse_answer`` turns what a form posts, or a value from an answers file, into the normalised JSON
value that conditions and the SoW pre-filler read. ``conforms`` and ``display`` take stored values.

This module holds those three and the tables that pick, per question type, the parser, the shape
and the display; the checks of each kind of answer live beside it: numbers in
``answers_numbers``, options in ``answers_choices``, text, dates and time zones in
``answers_text``, files and repeating groups in ``answers_records``, addresses in
``answers_net``, and what they share (``Invalid``, messages, wording) in ``answers_common``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import answers_net as net
from .answers_choices import (
    choice_labels,
    is_choice,
    is_choices,
    parse_choice,
    parse_multi_choice,
    parse_yes_no,
)
from .answers_common import (
    CHOICE,
    CHOICES,
    CONTROL_MULTILINE,
    TIMEZONE,
    UNUSUAL,
    YES_NO,
    Invalid,
    Parser,
    as_noun,
    checked,
    counted,
    format_number,
)
from .answers_numbers import is_decimal, is_int, parse_decimal, parse_integer, parse_port
from .answers_records import is_file, is_records, parse_file, parse_repeat
from .answers_text import parse_date, parse_text, time_zone
from .model import HostnameQuestion, IPAddressQuestion, Question
from .types import JSON

__all__ = ["Invalid", "conforms", "display", "parse_answer"]

#: Questions answered by picking, not typing: text with control characters is not one of their
#: options (a forged form), and says so as any other value that is not an option would.
_NOT_AN_OPTION = {"choice": CHOICE, "multi_choice": CHOICES, "yes_no": YES_NO}
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
        if CONTROL_MULTILINE.search(raw):
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


def _ip_address(question: IPAddressQuestion, raw: object) -> JSON | Invalid:
    message = net.IP_MESSAGES[question.version]
    return checked(raw, lambda text: net.ip_address(text, question.version), message)


def _hostname(question: HostnameQuestion, raw: object) -> JSON | Invalid:
    message = net.FQDN_MESSAGE if question.fqdn else net.HOSTNAME_MESSAGE
    return checked(raw, lambda text: net.hostname(text, fqdn=question.fqdn), message)


def _via(check: Callable[[str], JSON], message: str) -> Parser:
    """A parser that cleans the text and hands it to ``check``."""
    return lambda _question, raw: checked(raw, check, message)


_PARSERS: dict[str, Parser] = {
    "text": parse_text,
    "long_text": parse_text,
    "integer": parse_integer,
    "decimal": parse_decimal,
    "yes_no": parse_yes_no,
    "choice": parse_choice,
    "multi_choice": parse_multi_choice,
    "date": parse_date,
    "email": _via(net.email, net.EMAIL_MESSAGE),
    "phone": _via(net.phone, net.PHONE_MESSAGE),
    "url": _via(net.url, net.URL_MESSAGE),
    "timezone": _via(time_zone, TIMEZONE),
    "cidr": _via(net.cidr, net.CIDR_MESSAGE),
    "port": parse_port,
    "ip_address": _ip_address,
    "hostname": _hostname,
    "file": parse_file,
    "repeat": parse_repeat,
}


# Shapes and display ----------------------------------------------------------------------------


_SHAPES: dict[str, Callable[[Any, JSON], bool]] = {
    **dict.fromkeys(_TEXT_TYPES, lambda _q, value: isinstance(value, str)),
    "integer": lambda _q, value: is_int(value),
    "port": lambda _q, value: is_int(value),
    "decimal": lambda _q, value: is_decimal(value),
    "yes_no": lambda _q, value: isinstance(value, bool),
    "choice": is_choice,
    "multi_choice": is_choices,
    "file": lambda _q, value: is_file(value),
    "repeat": lambda _q, value: is_records(value),
}


def _fallback(value: JSON) -> str:
    """Text for a value of an unexpected shape: strings and numbers as they are, else nothing."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return format_number(value)
    return value if isinstance(value, str) else ""


_SHOW: dict[str, Callable[[Any, JSON], str]] = {
    "yes_no": lambda _q, value: "Yes" if value else "No",
    "choice": lambda q, value: choice_labels(q, [value]),
    "multi_choice": choice_labels,
    "file": lambda _q, value: _fallback(value["name"]),
    "repeat": lambda q, value: counted(len(value), as_noun(q.item_label)),
}
