"""Word: markdown-it's tokens walked into a python-docx document, one small handler per token type.

Headings use Word's "Heading N" styles, lists "List Bullet"/"List Number" (2 and 3 when nested;
each numbered list restarts), checklist items "List Paragraph" with their box, tables are real
tables ("Table Grid", bold repeated header row) and links real hyperlinks. Text goes in as text, so
escaped characters and markup come out literally.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from .parse import clean_title, parse

CODE_FONT = "Courier New"
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
ALIGNMENTS = {
    "text-align:left": WD_ALIGN_PARAGRAPH.LEFT,
    "text-align:center": WD_ALIGN_PARAGRAPH.CENTER,
    "text-align:right": WD_ALIGN_PARAGRAPH.RIGHT,
}


@dataclass
class _List:
    style: str  # "List Bullet" or "List Number", with " 2"/" 3" when nested
    num_id: int | None = None  # the restarted numbering of a numbered list
    task: bool = False  # the current item is a checklist item
    first: bool = True  # the next paragraph is the current item's first


class _Writer:
    def __init__(self, title: str) -> None:
        self.doc: DocumentObject = Document()
        self.doc.core_properties.title = clean_title(title)
        self.style_ids: dict[str, str] = {}
        self.paragraph: Paragraph | None = None
        self.lists: list[_List] = []
        self.quotes = 0
        self.table: Table | None = None
        self.row: _Row | None = None
        self.cell: _Cell | None = None
        self.cells = 0
        self.header = False
        self.bold = self.italic = self.strike = 0
        self.link: BaseOxmlElement | None = None
        self.blocks: dict[str, Callable[[Token], None]] = {
            "heading_open": self.heading,
            "paragraph_open": self.paragraph_open,
            "inline": self.inline,
            "bullet_list_open": lambda t: self.list_open("List Bullet", None),
            "ordered_list_open": lambda t: self.list_open(
                "List Number", int(t.attrs.get("start", 1))
            ),
            "bullet_list_close": self.list_close,
            "ordered_list_close": self.list_close,
            "list_item_open": self.item_open,
            "blockquote_open": lambda t: self.quote(1),
            "blockquote_close": lambda t: self.quote(-1),
            "table_open": self.table_open,
            "thead_open": lambda t: self.set_header(True),
            "thead_close": lambda t: self.set_header(False),
            "tr_open": self.row_open,
            "th_open": self.cell_open,
            "td_open": self.cell_open,
            "th_close": self.cell_close,
            "td_close": self.cell_close,
            "table_close": self.table_close,
            "fence": self.code_block,
            "code_block": self.code_block,
            "hr": self.rule,
        }
        self.inlines: dict[str, Callable[[Token], None]] = {
            "text": lambda t: self.run(t.content),
            "code_inline": lambda t: self.run(t.content, code=True),
            "softbreak": lambda t: self.run(" "),
            "hardbreak": lambda t: self.target().add_run().add_break(),
            "strong_open": lambda t: self.mark("bold", 1),
            "strong_close": lambda t: self.mark("bold", -1),
            "em_open": lambda t: self.mark("italic", 1),
            "em_close": lambda t: self.mark("italic", -1),
            "s_open": lambda t: self.mark("strike", 1),
            "s_close": lambda t: self.mark("strike", -1),
            "link_open": self.link_open,
            "link_close": self.link_close,
        }

    def write(self, tokens: list[Token]) -> bytes:
        for token in tokens:
            handler = self.blocks.get(token.type)
            if handler is not None:
                handler(token)
            elif token.type in ("heading_close", "paragraph_close"):
                self.paragraph = None
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # -- blocks --

    def target(self) -> Paragraph:
        if self.paragraph is None:
            self.paragraph = self.new_paragraph(None)
        return self.paragraph

    def new_paragraph(self, style: str | None) -> Paragraph:
        if self.cell is not None:
            paragraph: Paragraph = self.cell.paragraphs[0]
            if paragraph.runs:
                paragraph = self.cell.add_paragraph()
            return paragraph
        paragraph = self.doc.add_paragraph()
        if style is not None:
            # By id: python-docx looks a style name up by scanning every style, each time.
            paragraph._p.style = self.style_id(style)
        return paragraph

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def heading(self, token: Token) -> None:
        self.paragraph = self.new_paragraph(f"Heading {int(token.tag[1:])}")

    def paragraph_open(self, token: Token) -> None:
        style = "Quote" if self.quotes else None
        if self.lists:
            current = self.lists[-1]
            depth = "" if len(self.lists) == 1 else f" {min(len(self.lists), 3)}"
            if current.task:
                style = "List Paragraph"
            elif current.first:
                style = current.style
            else:
                style = f"List Continue{depth}"
            self.paragraph = self.new_paragraph(style)
            if current.first and current.num_id is not None and not current.task:
                _number(self.paragraph, current.num_id)
            current.first = False
            return
        self.paragraph = self.new_paragraph(style)

    def list_open(self, style: str, start: int | None) -> None:
        if self.lists:
            style += f" {min(len(self.lists) + 1, 3)}"
        self.lists.append(_List(style, self.restart(style, start) if start is not None else None))

    def list_close(self, token: Token) -> None:
        self.lists.pop()

    def item_open(self, token: Token) -> None:
        current = self.lists[-1]
        current.first, current.task = True, bool(token.meta.get("task"))

    def quote(self, step: int) -> None:
        self.quotes += step

    def restart(self, style: str, start: int) -> int:
        """A new numbering instance for ``style``'s list definition, starting at ``start``."""
        style_pr = self.doc.styles[style].element.pPr
        assert (
            style_pr is not None and style_pr.numPr is not None and style_pr.numPr.numId is not None
        )
        numbering = self.doc.part.numbering_part.element
        abstract = numbering.num_having_numId(style_pr.numPr.numId.val).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return int(num.numId)

    def table_open(self, token: Token) -> None:
        self.table = self.doc.add_table(rows=0, cols=token.meta["columns"])
        self.table._tbl.tblStyle_val = self.style_id("Table Grid")

    def set_header(self, header: bool) -> None:
        self.header = header

    def row_open(self, token: Token) -> None:
        assert self.table is not None
        self.row, self.cells = self.table.add_row(), 0  # type: ignore[no-untyped-call]
        if self.header:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            self.row._tr.get_or_add_trPr().append(repeat)

    def cell_open(self, token: Token) -> None:
        assert self.row is not None
        self.cell, self.cells = self.row.cells[self.cells], self.cells + 1
        self.paragraph = self.cell.paragraphs[0]
        self.paragraph.alignment = ALIGNMENTS.get(str(token.attrs.get("style", "")))
        self.bold += self.header

    def cell_close(self, token: Token) -> None:
        self.bold -= self.header
        self.cell = self.paragraph = None

    def table_close(self, token: Token) -> None:
        self.table = self.row = None
        self.doc.add_paragraph()  # Word runs adjacent tables together without one

    def code_block(self, token: Token) -> None:
        self.paragraph = self.new_paragraph(None)
        for i, line in enumerate(token.content.rstrip("\n").split("\n")):
            if i:
                self.paragraph.add_run().add_break()
            self.run(line, code=True)
        self.paragraph = None

    def rule(self, token: Token) -> None:
        border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
        for name, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
            bottom.set(qn(f"w:{name}"), value)
        border.append(bottom)
        self.doc.add_paragraph()._p.get_or_add_pPr().append(border)

    # -- inline --

    def inline(self, token: Token) -> None:
        for child in token.children or ():
            handler = self.inlines.get(child.type)
            if handler is not None:
                handler(child)
            elif child.content:  # anything else (none expected) still shows its text
                self.run(child.content)

    def mark(self, name: str, step: int) -> None:
        setattr(self, name, getattr(self, name) + step)

    def run(self, text: str, code: bool = False) -> None:
        if not text:
            return
        run = self.target().add_run(text)
        if self.bold:
            run.bold = True
        if self.italic:
            run.italic = True
        if self.strike:
            run.font.strike = True
        if code:
            run.font.name = CODE_FONT
        if self.link is not None:
            run.font.underline = True
            run.font.color.rgb = LINK_COLOUR
            self.link.append(run._r)  # moves the run into the hyperlink

    def link_open(self, token: Token) -> None:
        rel = self.doc.part.relate_to(
            str(token.attrs["href"]), RELATIONSHIP_TYPE.HYPERLINK, is_external=True
        )
        self.link = OxmlElement("w:hyperlink")
        self.link.set(qn("r:id"), rel)
        self.target()._p.append(self.link)

    def link_close(self, token: Token) -> None:
        self.link = None


def _number(paragraph: Paragraph, num_id: int) -> None:
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = 0
    numbering.get_or_add_numId().val = num_id


def _count_columns(tokens: list[Token]) -> None:
    """Record each table's column count (its header row's cells) on its ``table_open``."""
    opened: Token | None = None
    for token in tokens:
        if token.type == "table_open":
            opened, token.meta["columns"] = token, 0
        elif token.type == "th_open" and opened is not None:
            opened.meta["columns"] += 1
        elif token.type == "thead_close":
            opened = None


def to_docx(markdown: str, title: str) -> bytes:
    """The Markdown as a Word document (.docx bytes), ``title`` as its document title."""
    tokens = parse(markdown)
    _count_columns(tokens)
    return _Writer(title).write(tokens)
