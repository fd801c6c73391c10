"""HTML (a standalone, print-ready page) and PDF (that page through WeasyPrint)."""

from __future__ import annotations

import html
from typing import Any

from markdown_it.token import Token

from .budget import ExportLimits
from .layout import DEFAULT_PAGE, PageSetup, document
from .parse import PARSER, clean_title

# Print first: the page set-up, a header with the title and page numbers (WeasyPrint reads
# @page); readable on screen too.
PAGE_STYLE = """
@page {{
  size: {width}mm {height}mm;
  margin: {top}mm {right}mm {bottom}mm {left}mm;
  @top-right {{ content: "{title}"; font-size: 8pt; color: #666; }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #666; }}
}}
"""
STYLE = """
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt;
       line-height: 1.4; color: #111; }
body { margin: 0; }
@media screen { body { max-width: 52em; margin: 2em auto; padding: 0 1em; } }
h1, h2, h3, h4, h5, h6 { line-height: 1.2; margin: 1.2em 0 0.4em; break-after: avoid; }
h1 { font-size: 18pt; margin-top: 0; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; padding-bottom: 2pt; }
h3 { font-size: 12pt; }
h4, h5, h6 { font-size: 10pt; }
p, ul, ol, table, pre, blockquote { margin: 0 0 0.7em; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #555; padding: 3pt 5pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #e8e8e8; font-weight: bold; }
table.record { break-inside: avoid; }
table.record tbody th { width: 30%; background: #f4f4f4; }
li.task-list-item { list-style: none; }
li.task-list-item::marker { content: none; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: 5pt; }
blockquote { margin-left: 0; padding-left: 1em; border-left: 3px solid #bbb; color: #333; }
a { color: #0645ad; }
hr { border: 0; border-top: 1px solid #999; }
"""

# Opened from a download folder, the page may load nothing and run nothing.
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def to_html(
    markdown: str,
    title: str,
    page: PageSetup = DEFAULT_PAGE,
    limits: ExportLimits | None = None,
) -> str:
    """A complete HTML document: ``title`` in ``<title>`` and the printed header, the Markdown
    rendered as its body, laid out for ``page``; refused over ``limits`` (HTML's by default)."""
    return _page(document(markdown, "html", page, limits), title, page)


def _page(tokens: list[Token], title: str, page: PageSetup) -> str:
    body = PARSER.renderer.render(tokens, PARSER.options, {})
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(clean_title(title))}</title>\n"
        f"<style>{page_style(title, page)}{STYLE}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


def page_style(title: str, page: PageSetup) -> str:
    margins = page.margins
    return PAGE_STYLE.format(
        width=page.width_mm,
        height=page.height_mm,
        top=margins.top,
        right=margins.right,
        bottom=margins.bottom,
        left=margins.left,
        title=css_string(clean_title(title)),
    )


def css_string(text: str) -> str:
    """``text`` for a CSS string in a ``<style>`` element: every character that could end the
    string, the rule or the element (``"``, ``\\``, ``<``...) as a CSS escape."""
    return "".join(c if c.isalnum() or c in " .,:;!?()-_'" else f"\\{ord(c):x} " for c in text)


def pdf_url_fetcher() -> Any:
    """WeasyPrint's fetcher restricted to ``data:`` URLs: nothing on the network or the disk."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def to_pdf(
    markdown: str,
    title: str,
    page: PageSetup = DEFAULT_PAGE,
    limits: ExportLimits | None = None,
) -> bytes:
    """:func:`to_html`'s page as PDF (page set-up, header, page X of Y), fetching nothing;
    refused over ``limits`` (PDF's by default), before any layout work."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only PDFs need it

    tokens = document(markdown, "pdf", page, limits)
    html_page = _page(tokens, title, page)
    return bytes(HTML(string=html_page, url_fetcher=pdf_url_fetcher()).write_pdf())
