"""Markdown to HTML for the SoW preview: raw HTML is disabled, so the result holds only the
markup Markdown itself produces and all text is escaped by markdown-it."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER = MarkdownIt("commonmark", {"html": False}).enable("table")


def render(markdown: str) -> Markup:
    """The document as HTML to show inside a page, its headings one level down (``#`` is an
    ``<h2>``): the page's own ``<h1>`` stays the only one, and the outline reads in order."""
    tokens = _RENDERER.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + 1, 6)}"
    # Markup() is safe here: html=False makes markdown-it escape every character of the input
    # that is not Markdown syntax, and link targets are checked by its validateLink.
    return Markup(_RENDERER.renderer.render(tokens, _RENDERER.options, {}))  # noqa: S704
