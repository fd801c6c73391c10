"""Putting customer text into Markdown safely: it always reads as text, never as formatting."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_BULLET_START = re.compile(r"^(\s*)([-=])", re.MULTILINE)
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


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
    text = "; ".join(line.strip() for line in text.splitlines() if line.strip())
    text = _SPECIAL.sub(r"\\\1", text)
    # Only punctuation can be escaped in CommonMark: "\-" for a bullet, "10\." for a numbered list.
    text = _BULLET_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _NUMBER_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return MarkdownText(text)
