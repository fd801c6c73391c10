"""Exporting a SoW's Markdown (a draft or any revision of it) as Markdown, HTML, PDF or Word.

Every export takes the Markdown text and a title, reads the Markdown the same way (see
:mod:`.parse`) and carries the same content: headings, paragraphs, lists, the checklist,
tables, emphasis and links. Markup in the text (``<script>``) is text in every format. The title
is the document's name (HTML ``<title>``, PDF and Word metadata); the visible title is the
Markdown's own first heading, as :meth:`sow_prefill.model.Draft.markdown` writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from .page import pdf_url_fetcher, to_html, to_pdf
from .parse import normalise
from .word import to_docx

Format = Literal["md", "html", "pdf", "docx"]

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def to_markdown(markdown: str, title: str) -> str:
    """The Markdown itself: ``\\n`` line endings, no control characters, one final newline.

    ``title`` is unused (the Markdown has its own heading); it is here so every export is called
    the same way.
    """
    return normalise(markdown)


def export(markdown: str, title: str, fmt: Format) -> bytes:
    """The document in ``fmt``, as bytes (UTF-8 for the text formats)."""
    text_exports: dict[str, Callable[[str, str], str]] = {"md": to_markdown, "html": to_html}
    if fmt in text_exports:
        return text_exports[fmt](markdown, title).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(markdown, title)
    if fmt == "docx":
        return to_docx(markdown, title)
    raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(MEDIA_TYPES)})")


__all__ = [
    "MEDIA_TYPES",
    "Format",
    "export",
    "pdf_url_fetcher",
    "to_docx",
    "to_html",
    "to_markdown",
    "to_pdf",
]
