"""The exports' page: one page set-up for PDF and Word (paper, margins, header, page X of Y),
wide tables laid out to fit it, and a budget past which an export is refused, not attempted."""

from __future__ import annotations

import io
from functools import cache

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.shared import Mm
from pypdf import PageObject, PdfReader

from sow_prefill.export import (
    DocumentTooLarge,
    ExportLimits,
    Margins,
    PageSetup,
    export,
    to_docx,
    to_html,
    to_markdown,
    to_pdf,
)
from sow_prefill.export.layout import MIN_COLUMN_MM
from sow_prefill.model import Draft

from .support import MEDICAL, draft_of

POINTS_PER_MM = 72 / 25.4
A4 = PageSetup()
LETTER_LANDSCAPE = PageSetup("Letter", landscape=True, margins=Margins(15, 15, 15, 15))


@cache
def medical() -> Draft:
    return draft_of(MEDICAL)


@cache
def medical_pdf(page: PageSetup = A4) -> PdfReader:
    d = medical()
    return PdfReader(io.BytesIO(to_pdf(d.markdown(), d.title, page)))


@cache
def medical_docx(page: PageSetup = A4) -> DocxDocument:
    d = medical()
    return docx.Document(io.BytesIO(to_docx(d.markdown(), d.title, page)))


def table(rows: int, columns: int = 2) -> str:
    header = "| " + " | ".join(f"Column {c}" for c in range(columns)) + " |\n"
    rule = "| --- " * columns + "|\n"
    body = "".join(
        "| " + " | ".join(f"r{r}c{c}" for c in range(columns)) + " |\n" for r in range(rows)
    )
    return header + rule + body


# The page set-up -----------------------------------------------------------------------------------


def test_the_page_set_up_is_a4_portrait_by_default_and_checked() -> None:
    page = PageSetup()
    assert (page.paper, page.width_mm, page.height_mm) == ("A4", 210, 297)
    assert page.content_width_mm == 174 and page.max_table_columns == 5
    assert (LETTER_LANDSCAPE.width_mm, LETTER_LANDSCAPE.height_mm) == (279.4, 215.9)
    with pytest.raises(ValueError, match="unknown paper size 'B9' \\(known: A3, A4, A5, Letter"):
        PageSetup("B9")
    with pytest.raises(ValueError, match="leave less than 60 mm"):
        PageSetup(margins=Margins(left=80, right=80))
    with pytest.raises(ValueError, match="negative"):
        PageSetup(margins=Margins(top=-1))


@pytest.mark.parametrize(
    ("page", "size"), [(PageSetup(), (210, 297)), (LETTER_LANDSCAPE, (279.4, 215.9))]
)
def test_the_docx_page_is_the_page_set_up(page: PageSetup, size: tuple[float, float]) -> None:
    (section,) = medical_docx(page).sections
    found = (section.page_width, section.page_height, section.left_margin, section.top_margin)
    expected = (*size, page.margins.left, page.margins.top)
    # Word keeps twentieths of a point: millimetres come back rounded to them.
    assert [round(length.mm, 1) for length in found if length is not None] == list(expected)


@pytest.mark.parametrize(
    ("page", "size"), [(PageSetup(), (210, 297)), (LETTER_LANDSCAPE, (279.4, 215.9))]
)
def test_every_pdf_page_is_the_page_set_up(page: PageSetup, size: tuple[float, float]) -> None:
    for pdf_page in medical_pdf(page).pages:
        width, height = float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)
        assert (round(width / POINTS_PER_MM, 1), round(height / POINTS_PER_MM, 1)) == size


def test_the_docx_has_the_title_as_header_and_page_x_of_y_as_footer() -> None:
    (section,) = medical_docx().sections
    assert [p.text for p in section.header.paragraphs] == [medical().title]
    (footer,) = section.footer.paragraphs
    assert footer.text == "Page 1 of 1"  # what Word shows until it counts the pages
    fields = [t.text.strip() for t in footer._p.xpath(".//w:instrText")]
    assert fields == ["PAGE", "NUMPAGES"]


def test_every_pdf_page_has_the_title_as_header_and_page_x_of_y_as_footer() -> None:
    pages = medical_pdf().pages
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert medical().title in text
        assert f"Page {number} of {len(pages)}" in text


def test_a_title_with_markup_and_quotes_stays_text_in_the_page_header() -> None:
    title = 'SoW "Q1" </style><script>alert(1)</script> \\ end'
    page = to_html("# T\n", title)
    assert "<script" not in page and page.count("</style>") == 1
    text = PdfReader(io.BytesIO(to_pdf("# T\n", title))).pages[0].extract_text()
    assert title in text


# Wide tables ---------------------------------------------------------------------------------------


def text_starts(page: PageObject) -> list[float]:
    """Where each piece of text on ``page`` starts, in points from the left edge."""
    starts: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *rest: object) -> None:
        if text.strip():
            starts.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    page.extract_text(visitor_text=visit)
    return starts


def test_the_pdf_services_table_fits_the_page_with_readable_cells() -> None:
    pdf = medical_pdf()
    right_margin = float(pdf.pages[0].mediabox.width) - PageSetup().margins.right * POINTS_PER_MM
    for page in pdf.pages:
        assert max(text_starts(page)) < right_margin  # nothing starts in the margin or beyond
    lines = [line for page in pdf.pages for line in page.extract_text().splitlines()]
    # A proposal reads on one line, not a word a line in a squeezed cell.
    assert any("Proposed: Layer 4 direct routing (DR)" in line for line in lines)
    assert any(line.startswith("Service DICOM store") for line in lines)


def test_the_docx_services_table_fits_the_page_with_readable_cells() -> None:
    document = medical_docx()
    widest = PageSetup().content_width_mm
    for each in document.tables:
        widths = [int(col.w or 0) for col in each._tbl.tblGrid.gridCol_lst]
        assert len(widths) <= PageSetup().max_table_columns
        assert min(widths) >= Mm(MIN_COLUMN_MM)
        assert sum(widths) <= Mm(widest) + Mm(1)
    records = [
        [[c.text for c in row.cells] for row in t.rows]
        for t in document.tables
        if t.rows[0].cells[0].text == "Service"
    ]
    assert [r[0] for r in records] == [["Service", "PACS web viewer"], ["Service", "DICOM store"]]
    assert records[1][1] == [
        "VIP",
        "[To confirm on the discovery call: Virtual IP address (service 2)]",
    ]
    assert records[1][4][0] == "Mode" and "Layer 4 direct routing (DR)" in records[1][4][1]


def test_a_table_that_fits_stays_a_table_and_a_wider_page_keeps_more_columns() -> None:
    html = to_html(f"# T\n\n{table(2, 5)}", "t")
    assert html.count("<table") == 1
    html = to_html(f"# T\n\n{table(2, 6)}", "t")
    assert html.count('<table class="record">') == 2
    wide = PageSetup("A3", landscape=True)
    assert to_html(f"# T\n\n{table(2, 9)}", "t", wide).count("<table") == 1


# The budget ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "rows", "limit"), [("pdf", 2_001, "2,000"), ("docx", 5_001, "5,000")]
)
def test_a_table_over_the_budget_is_refused_with_a_message_for_a_person(
    fmt: str, rows: int, limit: str
) -> None:
    with pytest.raises(DocumentTooLarge) as caught:
        export(f"# T\n\n{table(rows)}", "t", fmt)  # type: ignore[arg-type]
    name = fmt.upper()
    assert str(caught.value) == (
        f"This SoW has a table of {rows:,} rows; the {name} export takes at most {limit} rows "
        "per table. Split the table."
    )
    assert (caught.value.format, caught.value.found) == (fmt, rows)


def test_a_document_over_the_character_budget_is_refused_before_it_is_read() -> None:
    markdown = "# T\n\n" + "x" * 1_000_000
    with pytest.raises(DocumentTooLarge) as caught:
        to_pdf(markdown, "t")
    assert str(caught.value) == (
        f"This SoW has {len(markdown):,} characters; the PDF export takes at most 1,000,000. "
        "Shorten it, or export Markdown."
    )


def test_the_rows_of_all_tables_count_as_laid_out() -> None:
    """400 services in nine columns: under the rows per table, but 3,600 rows as records."""
    with pytest.raises(DocumentTooLarge, match=r"^This SoW's tables have 3,600 rows in all"):
        to_pdf(f"# T\n\n{table(400, 9)}", "t")
    with pytest.raises(DocumentTooLarge, match="3,202 rows in all"):
        to_pdf(f"# T\n\n{table(1_600)}\n\n{table(1_600)}", "t")


LIMITS = ExportLimits(rows_per_table=40, rows=100, characters=20_000)


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx"])
def test_a_document_at_the_budget_exports_and_one_row_more_is_refused(fmt: str) -> None:
    at_limit = f"# T\n\n{table(40)}\n\n{table(40)}\n\n{table(17)}"  # 41 + 41 + 18 rows
    assert export(at_limit, "t", fmt, limits=LIMITS)  # type: ignore[arg-type]
    if fmt == "md":
        with pytest.raises(DocumentTooLarge):
            to_markdown("x" * 20_001, "t", LIMITS)
        return
    with pytest.raises(DocumentTooLarge, match="a table of 41 rows"):
        export(f"# T\n\n{table(41)}", "t", fmt, limits=LIMITS)  # type: ignore[arg-type]
    with pytest.raises(DocumentTooLarge, match="101 rows in all"):
        export(f"# T\n\n{table(40)}\n\n{table(40)}\n\n{table(18)}", "t", fmt, limits=LIMITS)  # type: ignore[arg-type]
