"""The page graph as a Mermaid flowchart that GitHub and GitLab render as it is."""

from __future__ import annotations

from .describe import describe
from .model import REVIEW, Definition

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "\n": " "}


def _label(text: str, limit: int = 80) -> str:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in text) + '"'


def _node(page_id: str) -> str:
    # Prefixed so that page ids such as 'end' or 'graph' never clash with Mermaid keywords.
    return f"p_{page_id}"


def _edge_label(condition: object, conditional: bool) -> str:
    if condition is not None:
        return _label(describe(condition))
    return _label("otherwise") if conditional else ""


def mermaid(definition: Definition) -> str:
    """A ``flowchart TD`` of pages (titles), conditional edges (readable conditions) and review."""
    lines = ["flowchart TD", f"    start([Start]) --> {_node(definition.start_page)}"]
    for page in definition.pages:
        if page.show_if is None:
            lines.append(f"    {_node(page.id)}[{_label(page.title)}]")
        else:  # a page asked only under a condition: skipped pages go on along their edges
            title = f"{page.title} (asked if {describe(page.show_if)})"
            lines.append(f"    {_node(page.id)}[{_label(title, limit=240)}]")
    lines.append(f"    {_node(REVIEW)}([{_label('Review and submit')}])")
    for page in definition.pages:
        conditional = len(page.next) > 1
        for edge in page.next:
            text = _edge_label(edge.if_, conditional)
            arrow = f" -->|{text}| " if text else " --> "
            lines.append(f"    {_node(page.id)}{arrow}{_node(edge.to)}")
    return "\n".join(lines) + "\n"
