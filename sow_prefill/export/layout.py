"""The page every export is laid out for, and tables too wide for it.

One :class:`PageSetup` (paper, orientation, margins) goes to the HTML/PDF and Word exporters
alike, so both come out on the same page with the same header (the document's title) and
footer (page X of Y).

A table with more columns than fit across the page (:attr:`PageSetup.max_table_columns`, at
:data:`MIN_COLUMN_MM` each) is laid out as one small table per row instead: the row's first
cell as its heading, then a line per column, name and value. The SoW's virtual-services table
has nine columns, some holding a proposal and its reason: side by side on A4 they shrink to a
word a line and run off the page; one record per service reads as prose.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from markdown_it.token import Token

from .budget import ExportLimits, Format, check_characters, check_tables, limits_for
from .parse import parse

#: Paper sizes, width by height in millimetres (portrait).
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "A3": (297, 420),
    "A4": (210, 297),
    "A5": (148, 210),
    "Letter": (215.9, 279.4),
    "Legal": (215.9, 355.6),
}
#: The narrowest a table column may be: about ten words of ten-point text.
MIN_COLUMN_MM = 30
#: What a page must leave for its content.
MIN_CONTENT_MM = 60


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres."""

    top: float = 20
    right: float = 18
    bottom: float = 22
    left: float = 18


@dataclass(frozen=True)
class PageSetup:
    """Paper, orientation and margins of an exported document (A4 portrait by default)."""

    paper: str = "A4"
    landscape: bool = False
    margins: Margins = field(default_factory=Margins)

    def __post_init__(self) -> None:
        if self.paper not in PAPER_SIZES:
            known = ", ".join(PAPER_SIZES)
            raise ValueError(f"unknown paper size {self.paper!r} (known: {known})")
        sides = (self.margins.top, self.margins.right, self.margins.bottom, self.margins.left)
        if min(sides) < 0:
            raise ValueError("margins cannot be negative")
        if min(self.content_width_mm, self.content_height_mm) < MIN_CONTENT_MM:
            raise ValueError(f"the margins leave less than {MIN_CONTENT_MM} mm for the content")

    @property
    def width_mm(self) -> float:
        width, height = PAPER_SIZES[self.paper]
        return height if self.landscape else width

    @property
    def height_mm(self) -> float:
        width, height = PAPER_SIZES[self.paper]
        return width if self.landscape else height

    @property
    def content_width_mm(self) -> float:
        return self.width_mm - self.margins.left - self.margins.right

    @property
    def content_height_mm(self) -> float:
        return self.height_mm - self.margins.top - self.margins.bottom

    @property
    def max_table_columns(self) -> int:
        return max(2, int(self.content_width_mm // MIN_COLUMN_MM))


DEFAULT_PAGE = PageSetup()

#: Marks a table made from one row of a wide table (``token.meta``).
RECORD = "record"


def document(
    markdown: str, fmt: Format, page: PageSetup, limits: ExportLimits | None
) -> list[Token]:
    """The tokens an export renders: parsed, wide tables laid out for ``page``, within the
    budget of ``fmt`` (:class:`~.budget.DocumentTooLarge` if not)."""
    budget = limits_for(fmt, limits)
    check_characters(markdown, fmt, budget)
    written = parse(markdown)
    laid_out = fit_tables(written, page.max_table_columns)
    check_tables(written, laid_out, fmt, budget)
    return laid_out


def fit_tables(tokens: list[Token], max_columns: int) -> list[Token]:
    """``tokens`` with each table of more than ``max_columns`` columns as one table per row."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            out.append(tokens[i])
            i += 1
            continue
        end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
        table = tokens[i : end + 1]
        header, rows = _cells(table)
        out += table if len(header) <= max_columns else list(_records(table[0], header, rows))
        i = end + 1
    return out


def _cells(table: list[Token]) -> tuple[list[Token], list[list[Token]]]:
    """The header's inline tokens and each body row's, of one table's tokens."""
    header: list[Token] = []
    rows: list[list[Token]] = []
    in_body = False
    for index, token in enumerate(table):
        if token.type in ("tbody_open", "thead_open"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open" and in_body:
            rows.append([])
        elif token.type == "inline" and table[index - 1].type in ("th_open", "td_open"):
            (rows[-1] if in_body else header).append(token)
    return header, rows


def _records(opening: Token, header: list[Token], rows: list[list[Token]]) -> Iterator[Token]:
    """Per row: a two-column table, the first cell as its heading, then a line per column."""
    for row in rows:
        yield _block("table_open", "table", 1, opening, record=True)
        yield from _row("thead", [("th", header[0]), ("th", row[0])], opening)
        yield _block("tbody_open", "tbody", 1, opening)
        for name, value in zip(header[1:], row[1:], strict=False):
            yield from _row(None, [("th", name), ("td", value)], opening)
        yield _block("tbody_close", "tbody", -1, opening)
        yield _block("table_close", "table", -1, opening)


def _row(group: str | None, cells: list[tuple[str, Token]], opening: Token) -> Iterator[Token]:
    if group is not None:
        yield _block(f"{group}_open", group, 1, opening)
    yield _block("tr_open", "tr", 1, opening)
    for tag, content in cells:
        yield _block(f"{tag}_open", tag, 1, opening)
        yield copy.copy(content)
        yield _block(f"{tag}_close", tag, -1, opening)
    yield _block("tr_close", "tr", -1, opening)
    if group is not None:
        yield _block(f"{group}_close", group, -1, opening)


def _block(
    kind: str, tag: str, nesting: Literal[-1, 0, 1], like: Token, record: bool = False
) -> Token:
    token = Token(kind, tag, nesting, map=like.map, block=True)
    if record:
        token.meta[RECORD] = True
        token.attrSet("class", RECORD)
    return token
