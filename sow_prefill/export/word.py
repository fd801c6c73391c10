"""Word: markdown-it's tokens walked into a python-docx document, one small handler per token type.

Headings use Word's "Heading N" styles, lists "List Bullet"/"List Number" (2 and 3 when nested;
each numbered list restarts), checklist items "List Paragraph" with their box, tables are real
tables ("Table Grid", bold repeated header row, columns across the text width) and links real
hyperlinks. Text goes in as text, so escaped characters and markup come out literally. The page
is the :class:`~.layout.PageSetup` given, with the title as header and "Page X of Y" as footer,
as in the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from .budget import ExportLimits
from .layout import DEFAULT_PAGE, RECORD, PageSetup, document
from .parse import clean_title

CODE_FONT = "Courier New"
LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)
MARGIN_COLOUR = RGBColor(0x66, 0x66, 0x66)  # header and footer, as the PDF's
MARGIN_TEXT = Pt(8)
#: The share of the width a record table's first column (the field names) takes.
RECORD_NAMES_SHARE = 0.3
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
    def __init__(self, title: str, page: PageSetup) -> None:
        self.doc: DocumentObject = Document()
        self.doc.core_properties.title = clean_title(title)
        _set_up(self.doc.sections[0], clean_title(title), page)
        self.style_ids: dict[str, str] = {}
        self.paragraph: Paragraph | None = None
        self.lists: list[_List] = []
        self.quotes = 0
        self.table: Table | None = None
        self.widths: list[int] = []  # the current table's column widths (EMU)
        self.row: CT_Row | None = None
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
        columns = token.meta["columns"]
        self.table = self.doc.add_table(rows=0, cols=columns)
        self.table._tbl.tblStyle_val = self.style_id("Table Grid")
        grid = self.table._tbl.tblGrid.gridCol_lst
        width = sum(int(col.w or 0) for col in grid)
        if token.meta.get(RECORD) and columns == 2:
            names = int(width * RECORD_NAMES_SHARE)
            grid[0].w, grid[1].w = Emu(names), Emu(width - names)
        self.widths = [int(col.w or 0) for col in grid]

    def set_header(self, header: bool) -> None:
        self.header = header

    def row_open(self, token: Token) -> None:
        # The row's XML directly: python-docx's add_row and row.cells look through the whole
        # table each time, which makes a long table take minutes.
        assert self.table is not None
        self.row, self.cells = self.table._tbl.add_tr(), 0
        for width in self.widths:
            self.row.add_tc().width = Emu(width)
        if self.header:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            self.row.get_or_add_trPr().append(repeat)

    def cell_open(self, token: Token) -> None:
        assert self.row is not None and self.table is not None
        self.cell = _Cell(self.row.tc_lst[self.cells], self.table)
        self.cells += 1
        self.paragraph = self.cell.paragraphs[0]
        self.paragraph.alignment = ALIGNMENTS.get(str(token.attrs.get("style", "")))
        self.bold += token.type == "th_open"

    def cell_close(self, token: Token) -> None:
        self.bold -= token.type == "th_close"
        self.cell = self.paragraph = None

    def table_close(self, token: Token) -> None:
        self.table, self.row, self.widths = None, None, []
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


def _set_up(section: Section, title: str, page: PageSetup) -> None:
    """Paper, margins, the title as header and "Page X of Y" as footer, as the PDF has them."""
    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
    margins = page.margins
    section.top_margin, section.bottom_margin = Mm(margins.top), Mm(margins.bottom)
    section.left_margin, section.right_margin = Mm(margins.left), Mm(margins.right)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _margin_run(header, title)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _margin_run(footer, "Page ")
    _field(footer, "PAGE", "1")
    _margin_run(footer, " of ")
    _field(footer, "NUMPAGES", "1")


def _margin_run(paragraph: Paragraph, text: str) -> BaseOxmlElement:
    run = paragraph.add_run(text)
    run.font.size = MARGIN_TEXT
    run.font.color.rgb = MARGIN_COLOUR
    return run._r


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) that Word fills in; ``shown`` until it does."""
    for kind in ("begin", None, "separate", "shown", "end"):
        run = _margin_run(paragraph, "")
        if kind is None:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run.append(code)
        elif kind == "shown":
            text = OxmlElement("w:t")
            text.text = shown
            run.append(text)
        else:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run.append(mark)


def to_docx(
    markdown: str,
    title: str,
    page: PageSetup = DEFAULT_PAGE,
    limits: ExportLimits | None = None,
) -> bytes:
    """The Markdown as a Word document (.docx bytes) on ``page``, ``title`` as its document
    title and header; refused over ``limits`` (DOCX's by default) before any work."""
    tokens = document(markdown, "docx", page, limits)
    _count_columns(tokens)
    return _Writer(title, page).write(tokens)
