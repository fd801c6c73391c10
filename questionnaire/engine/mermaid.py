"""The page graph as a Mermaid flowchart that GitHub and GitLab render as it is."""

from __future__ import annotations

import textwrap

from .describe import Words, describe
from .model import REVIEW, Definition

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "\n": " "}
#: Characters a label line holds before it wraps: long conditions are read in full, over lines.
LINE_WIDTH = 48


def _label(text: str, width: int = LINE_WIDTH) -> str:
    """``text`` quoted for Mermaid, wrapped over lines (``<br/>``), never cut short."""
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    escaped = ("".join(_ESCAPES.get(ch, ch) for ch in line) for line in lines)
    return '"' + "<br/>".join(escaped) + '"'


def _node(page_id: str) -> str:
    # Prefixed so that page ids such as 'end' or 'graph' never clash with Mermaid keywords.
    return f"p_{page_id}"


def _edge_label(condition: object, conditional: bool, words: Words) -> str:
    if condition is not None:
        return _label(describe(condition, words))
    return _label("otherwise") if conditional else ""


def mermaid(definition: Definition) -> str:
    """A ``flowchart TD`` of pages (titles), conditional edges (readable conditions) and review."""
    words = Words.of(definition)
    lines = ["flowchart TD", f"    start([Start]) --> {_node(definition.start_page)}"]
    for page in definition.pages:
        if page.show_if is None:
            lines.append(f"    {_node(page.id)}[{_label(page.title)}]")
        else:  # a page asked only under a condition: skipped pages go on along their edges
            title = f"{page.title} (asked if {describe(page.show_if, words)})"
            lines.append(f"    {_node(page.id)}[{_label(title)}]")
    lines.append(f"    {_node(REVIEW)}([{_label('Review and submit')}])")
    for page in definition.pages:
        conditional = len(page.next) > 1
        for edge in page.next:
            text = _edge_label(edge.if_, conditional, words)
            arrow = f" -->|{text}| " if text else " --> "
            lines.append(f"    {_node(page.id)}{arrow}{_node(edge.to)}")
    return "\n".join(lines) + "\n"
