"""What a request sends, parsed in one place before any use case sees it.

Nothing from the edge is trusted: ids in URLs must fit the columns they name, text must hold
no NUL or other control character (PostgreSQL refuses NUL in text and JSON), numbers are ASCII
digits (``'²'.isdigit()`` is true, and ``int('²')`` raises), and the page to go back to after a
login is a path on this site with nothing that could split a header.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from questionnaire.store.models import MAX_INT

#: C0 controls and DEL; multi-line text may hold tabs and line breaks.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A printable ASCII path: no space, control character, backslash or anything non-ASCII.
SAFE_PATH = re.compile(r"/[!-\[\]-~]*")


def digits_up_to(limit: int) -> str:
    """A regular expression of the ASCII-digit numbers from 0 to ``limit`` (leading zeros
    allowed up to ``limit``'s length): shorter numbers, then each digit of ``limit`` lowered."""
    top = str(limit)
    branches = [f"[0-9]{{1,{len(top) - 1}}}"] if len(top) > 1 else []
    for i, digit in enumerate(top):
        if digit != "0":
            rest = len(top) - i - 1
            lower = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            branches.append(top[:i] + lower + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*branches, top]) + ")"


class RowId(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits naming a value an ``Integer`` column holds.

    Werkzeug's own ``int`` matches any Unicode digit (``\\d``) of any length, so
    ``/e/engagements/2147483648`` reached PostgreSQL and failed there (a 500). Here anything
    but ASCII digits up to 2**31-1 matches no route: a 404. The bound is in the regular
    expression, not in ``to_python``: a value the converter refuses after matching makes
    Werkzeug answer 405 when a rule for another method has the same path.
    """

    regex = digits_up_to(MAX_INT)


def register(app: Flask) -> None:
    """Before any blueprint: rules take their converters when they are added."""
    app.url_map.converters["int"] = RowId


class Invalid(BadRequest):
    """A field that cannot be read; ``description`` says which and why, for a person."""

    def __init__(self, field: str, description: str) -> None:
        super().__init__(description)
        self.field = field


def text(value: str | None, field: str, label: str, *, multiline: bool = False) -> str:
    """The stripped text; :class:`Invalid` if it holds a control character (NUL included)."""
    found = (value or "").strip()
    if (CONTROL_MULTILINE if multiline else CONTROL).search(found):
        raise Invalid(field, f"{label} must not contain control characters")
    return found


def form_text(name: str, label: str) -> str:
    return text(request.form.get(name), name, label)


def arg_text(name: str, label: str) -> str:
    return text(request.args.get(name), name, label)


def whole_number(value: str | None, digits: int = 9) -> int | None:
    """ASCII digits (at most ``digits`` of them) as a number, else ``None``."""
    found = (value or "").strip()
    if found.isascii() and found.isdigit() and len(found) <= digits:
        return int(found)
    return None


def row_id(value: str | None) -> int | None:
    """An id as a URL's query names it, if it is one a column can hold."""
    number = whole_number(value, digits=10)
    return number if number is not None and number <= MAX_INT else None


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: ``//elsewhere``, ``https://elsewhere``, ``/\\elsewhere`` and
    anything holding CR, LF or another control character (a header split) give ``default``."""
    if not target or not SAFE_PATH.fullmatch(target) or target.startswith("//"):
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default
