"""Exporting a SoW's Markdown (a draft or any revision of it) as Markdown, HTML, PDF or Word.

Every export takes the Markdown text and a title, reads the Markdown the same way (see
:mod:`.parse`) and carries the same content: headings, paragraphs, lists, the checklist,
tables, emphasis and links. Markup in the text (``<script>``) is text in every format. The title
is the document's name (HTML ``<title>``, PDF and Word metadata) and the printed header of PDF
and Word; the visible title is the Markdown's own first heading, as
:meth:`sow_prefill.model.Draft.markdown` writes it.

HTML, PDF and Word are laid out for one :class:`PageSetup` (A4 portrait by default), tables too
wide for it one record per row (see :mod:`.layout`). Each format takes documents up to a budget
(:class:`ExportLimits`, :data:`DEFAULT_LIMITS`); a larger one raises :class:`DocumentTooLarge`
with a message for the person exporting, before any slow work.
"""

from __future__ import annotations

from .budget import DEFAULT_LIMITS, DocumentTooLarge, ExportLimits, Format, check_characters
from .budget import limits_for as _limits_for
from .layout import DEFAULT_PAGE, PAPER_SIZES, Margins, PageSetup
from .page import pdf_url_fetcher, to_html, to_pdf
from .parse import normalise
from .word import to_docx

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def to_markdown(markdown: str, title: str, limits: ExportLimits | None = None) -> str:
    """The Markdown itself: ``\\n`` line endings, no control characters, one final newline.

    ``title`` is unused (the Markdown has its own heading); it is here so every export is called
    the same way.
    """
    check_characters(markdown, "md", _limits_for("md", limits))
    return normalise(markdown)


def export(
    markdown: str,
    title: str,
    fmt: Format,
    page: PageSetup = DEFAULT_PAGE,
    limits: ExportLimits | None = None,
) -> bytes:
    """The document in ``fmt``, as bytes (UTF-8 for the text formats), laid out for ``page``
    and within ``limits`` (the format's :data:`DEFAULT_LIMITS` when ``None``)."""
    if fmt == "md":
        return to_markdown(markdown, title, limits).encode("utf-8")
    if fmt == "html":
        return to_html(markdown, title, page, limits).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(markdown, title, page, limits)
    if fmt == "docx":
        return to_docx(markdown, title, page, limits)
    raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(MEDIA_TYPES)})")


__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_PAGE",
    "MEDIA_TYPES",
    "PAPER_SIZES",
    "DocumentTooLarge",
    "ExportLimits",
    "Format",
    "Margins",
    "PageSetup",
    "export",
    "pdf_url_fetcher",
    "to_docx",
    "to_html",
    "to_markdown",
    "to_pdf",
]
