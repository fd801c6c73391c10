"""How large a document each export takes, and the error that says so before any work is done.

Exports grow faster than the document: WeasyPrint lays a long table out again at every page it
breaks, so a 3,000-row table takes most of a minute as PDF, and python-docx slows with every
row it adds. Each format has a budget (:class:`ExportLimits`); a document over it is refused
with :class:`DocumentTooLarge`, whose message tells a person what to change, and a document
under it exports without failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from markdown_it.token import Token

Format = Literal["md", "html", "pdf", "docx"]

FORMAT_NAMES: Mapping[Format, str] = {
    "md": "Markdown",
    "html": "HTML",
    "pdf": "PDF",
    "docx": "DOCX",
}


class DocumentTooLarge(ValueError):
    """A document is larger than an export takes. The message is for the person exporting."""

    def __init__(self, message: str, fmt: Format, found: int, limit: int) -> None:
        super().__init__(message)
        self.format, self.found, self.limit = fmt, found, limit


@dataclass(frozen=True)
class ExportLimits:
    """The largest document one export takes (``None``: no limit).

    ``rows_per_table`` counts the rows of one table as written; ``rows`` counts the rows of all
    tables as laid out on the page (a wide table becomes one small table per row, see
    :mod:`.layout`); ``characters`` counts the Markdown.
    """

    rows_per_table: int | None = None
    rows: int | None = None
    characters: int | None = None


#: Measured (bench/sow.py's machine): a PDF page of table rows costs about 7 ms a row, more for
#: long tables; these keep a PDF under about 30 s and a DOCX under about 15 s.
DEFAULT_LIMITS: Mapping[Format, ExportLimits] = {
    "md": ExportLimits(characters=5_000_000),
    "html": ExportLimits(rows_per_table=20_000, rows=50_000, characters=5_000_000),
    "pdf": ExportLimits(rows_per_table=2_000, rows=3_000, characters=1_000_000),
    "docx": ExportLimits(rows_per_table=5_000, rows=10_000, characters=2_000_000),
}


def limits_for(fmt: Format, limits: ExportLimits | None) -> ExportLimits:
    return DEFAULT_LIMITS[fmt] if limits is None else limits


def check_characters(markdown: str, fmt: Format, limits: ExportLimits) -> None:
    """Before parsing: parsing itself takes seconds on megabytes."""
    limit = limits.characters
    if limit is not None and len(markdown) > limit:
        raise DocumentTooLarge(
            f"This SoW has {len(markdown):,} characters; the {FORMAT_NAMES[fmt]} export takes at "
            f"most {limit:,}. Shorten it, or export Markdown.",
            fmt,
            len(markdown),
            limit,
        )


def table_rows(tokens: list[Token]) -> list[int]:
    """The body rows of each table in ``tokens``, in order."""
    counts: list[int] = []
    in_body = False
    for token in tokens:
        if token.type == "table_open":
            counts.append(0)
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open" and in_body:
            counts[-1] += 1
    return counts


def check_tables(
    written: list[Token], laid_out: list[Token], fmt: Format, limits: ExportLimits
) -> None:
    """``written``: the tables as the Markdown has them; ``laid_out``: as the page shows them."""
    name = FORMAT_NAMES[fmt]
    longest = max(table_rows(written), default=0)
    if limits.rows_per_table is not None and longest > limits.rows_per_table:
        raise DocumentTooLarge(
            f"This SoW has a table of {longest:,} rows; the {name} export takes at most "
            f"{limits.rows_per_table:,} rows per table. Split the table.",
            fmt,
            longest,
            limits.rows_per_table,
        )
    total = sum(rows + 1 for rows in table_rows(laid_out))  # each with its header row
    if limits.rows is not None and total > limits.rows:
        raise DocumentTooLarge(
            f"This SoW's tables have {total:,} rows in all, as laid out on the page; the {name} "
            f"export takes at most {limits.rows:,}. Shorten the tables, or export Markdown.",
            fmt,
            total,
            limits.rows,
        )
