"""The one Markdown reading every export shares: normalised text, then markdown-it's tokens.

CommonMark with tables and strikethrough, raw HTML off (``<script>`` stays text), links kept only
for http, https and mailto. Two adjustments run after parsing, so every format sees them alike:

* a list item starting with ``[ ]`` or ``[x]`` is a checklist item: its marker becomes a box
  (``☐``/``☑``) and the item is flagged ``meta["task"]``;
* an image becomes a link to it (or its alt text alone): no export embeds or fetches a picture.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

UNCHECKED = "\u2610"  # ☐
CHECKED = "\u2611"  # ☑
LINK_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "noopener noreferrer"

# Characters XML (hence DOCX) cannot hold, and lone surrogates UTF-8 cannot encode.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")


def normalise(markdown: str) -> str:
    """``markdown`` with ``\\n`` line endings, no control characters and one final newline."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", text).strip("\n").rstrip()
    return text + "\n"


def clean_title(title: str) -> str:
    """``title`` on one line, without the characters :func:`normalise` removes."""
    return " ".join(_UNSAFE.sub("", title).split())


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it's name for the hook
        return url.strip().lower().startswith(LINK_SCHEMES)


def _mark_tasks(tokens: list[Token]) -> None:
    for i, token in enumerate(tokens):
        if token.type != "inline" or i < 2 or tokens[i - 1].type != "paragraph_open":
            continue
        item = tokens[i - 2]
        first = token.children[0] if token.children else None
        # The raw source must start with the marker, so an escaped "\[ \]" stays text.
        if item.type != "list_item_open" or first is None or first.type != "text":
            continue
        raw, shown = _TASK.match(token.content), _TASK.match(first.content)
        if raw is None or shown is None:
            continue
        box = UNCHECKED if shown.group(1) == " " else CHECKED
        first.content = f"{box} {first.content[shown.end() :]}"
        item.meta["task"] = True
        item.attrJoin("class", "task-list-item")


def _images_to_links(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        for child in token.children:
            if child.type != "image":
                children.append(child)
                continue
            alt = child.children or [Token("text", "", 0, content=child.content)]
            src = str(child.attrs.get("src", ""))
            if src.lower().startswith(LINK_SCHEMES):
                children += [
                    Token("link_open", "a", 1, attrs={"href": src}),
                    *alt,
                    Token("link_close", "a", -1),
                ]
            else:
                children += alt
        token.children = children


def _add_attributes(tokens: list[Token]) -> None:
    for token in tokens:
        start = token.attrs.get("start")
        if token.type == "ordered_list_open" and start is not None:
            # WeasyPrint ignores <ol start>; browsers read this the same way.
            token.attrSet("style", f"counter-reset: list-item {int(start) - 1}")
        for child in token.children or ():
            if child.type == "link_open":
                child.attrSet("rel", LINK_REL)


def _adjust(state: StateCore) -> None:
    _mark_tasks(state.tokens)
    _images_to_links(state.tokens)
    _add_attributes(state.tokens)


def _make_parser() -> MarkdownIt:
    parser = _Parser("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.core.ruler.push("sow_export", _adjust)
    return parser


PARSER = _make_parser()


def parse(markdown: str) -> list[Token]:
    """The block tokens of the normalised ``markdown`` (inline tokens hold their ``children``)."""
    return PARSER.parse(normalise(markdown))
