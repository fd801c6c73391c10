"""Markdown to HTML for the SoW preview: raw HTML is disabled, so the result holds only the
markup Markdown itself produces and all text is escaped by markdown-it."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_RENDERER = MarkdownIt("commonmark", {"html": False}).enable("table")


def render(markdown: str) -> Markup:
    # Markup() is safe here: html=False makes markdown-it escape every character of the input
    # that is not Markdown syntax, and link targets are checked by its validateLink.
    return Markup(_RENDERER.render(markdown))  # noqa: S704
