"""Putting customer text into Markdown safely: it always reads as text, never as formatting."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_BULLET_START = re.compile(r"^(\s*)([-=])", re.MULTILINE)
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
#: Anything :func:`escape` would change: a special character, a line break (``str.splitlines``
#: breaks on all of these), whitespace at either end, or a start that reads as a list item.
_CHANGES = re.compile(
    r"[\\`*_{}\[\]()<>#+!|~&\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|^[-=]|^\d+[.)]|^\s|\s\Z"
)


class MarkdownText(str):
    """Markdown we wrote ourselves (placeholders, proposals): not escaped again."""

    __slots__ = ()


def escape(value: object) -> MarkdownText:
    """``value`` as Markdown that renders exactly as the text it is.

    Newlines become "; " so that an answer can never start a heading, a list or a table row, nor
    break out of a table cell.
    """
    if isinstance(value, MarkdownText):
        return value
    text = "" if value is None else str(value)
    if not _CHANGES.search(text):  # most answers: nothing to escape, no regex substitution
        return MarkdownText(text)
    text = "; ".join(line.strip() for line in text.splitlines() if line.strip())
    text = _SPECIAL.sub(r"\\\1", text)
    # Only punctuation can be escaped in CommonMark: "\-" for a bullet, "10\." for a numbered list.
    text = _BULLET_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _NUMBER_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return MarkdownText(text)
