"""The SoW exports: Markdown, HTML, PDF (WeasyPrint) and Word (python-docx) carry the same content."""

from __future__ import annotations

import html
import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar, cast

import docx
import pytest
import yaml
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from pypdf import PdfReader

from questionnaire.engine import evaluate, load_file
from sow_prefill.export import export, pdf_url_fetcher, to_docx, to_html, to_markdown, to_pdf
from sow_prefill.export.parse import parse
from sow_prefill.markdown_text import escape
from sow_prefill.model import PLACEHOLDER, Draft
from sow_prefill.prefill import PrefillInput, prefill
from sow_prefill.templates import load_library

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = """# Statement of Work: Sample

## To confirm on the discovery call

- [ ] SoW number (Statement of Work)
- [x] Customer (Statement of Work)

## Services

| Service | Ports | VIP |
| --- | ---: | --- |
| PACS web viewer | 443 | 10\\.20.0.50 |
| Customer \\<b\\>portal\\</b\\> \\| legacy | 8443 | **\\[To confirm on the discovery call: VIP\\]** |

### Notes on *the* design

A paragraph with **bold**, *italic*, `code`, ~~struck~~ and a [link](https://example.com/sow).
Markup stays text: <script>alert(1)</script> and \\*not emphasis\\* and 5 \\< 6 & 7.

- first bullet
- second bullet
  - nested bullet

1. step one
2. step two

3) another list, restarting
4) and its second step

- \\[ \\] an escaped box, not a checklist item
"""

SCRIPT = "<script>alert(1)</script>"


def docx_document(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def docx_text(data: bytes) -> str:
    document = docx_document(data)
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Without whitespace: PDF text wraps lines wherever the layout did (even after "</")."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return to_pdf(SAMPLE, "Statement of Work: Sample")


@pytest.fixture(scope="module")
def sample_docx() -> DocxDocument:
    return docx_document(to_docx(SAMPLE, "Statement of Work: Sample"))


@pytest.fixture(scope="module")
def draft() -> Draft:
    """A real draft: the complete medical response, through the flow and today's templates."""
    questionnaire = load_file(ROOT / "definitions" / "pre_discovery.yaml")
    cases = yaml.safe_load((ROOT / "definitions" / "tests" / "pre_discovery.yaml").read_text())[
        "cases"
    ]
    case = next(c for c in cases if c["name"].startswith("Complete response - medical"))
    flow = evaluate(questionnaire, case["answers"])
    facts = {"customer": "Northshire <b>Health</b> & Co", "project": "PACS *2026*"}
    inp = PrefillInput(flow.answers, flow.computed, questionnaire.models, facts)
    return prefill(load_library(ROOT / "templates"), inp)


# -- HTML ---------------------------------------------------------------------------------------


def test_html_is_a_standalone_printable_document() -> None:
    page = to_html(SAMPLE, "SoW <Sample> & Co")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>SoW &lt;Sample&gt; &amp; Co</title>" in page
    assert "size: 210mm 297mm" in page and "counter(page)" in page and "counter(pages)" in page
    assert "<h1>Statement of Work: Sample</h1>" in page
    assert '<ol start="3" style="counter-reset: list-item 2">' in page
    assert "<th>Service</th>" in page and '<td style="text-align:right">443</td>' in page
    assert "http://" not in page.replace('href="https://example.com/sow"', "")  # nothing to load


def test_html_escapes_markup_in_text_and_title() -> None:
    page = to_html(SAMPLE + f"\n{SCRIPT}\n", SCRIPT)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Customer &lt;b&gt;portal&lt;/b&gt; | legacy" in page
    assert "*not emphasis*" in page and "5 &lt; 6 &amp; 7" in page
    # A content security policy too: even a slip could neither run nor load anything.
    assert "default-src 'none'" in page


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "[a](https://example.com)",
            '<a href="https://example.com" rel="noopener noreferrer">a</a>',
        ),
        (
            "[a](mailto:sam@example.com)",
            '<a href="mailto:sam@example.com" rel="noopener noreferrer">a</a>',
        ),
        (
            "<https://example.com>",
            '<a href="https://example.com" rel="noopener noreferrer">https://example.com</a>',
        ),
        ("[a](javascript:alert(1))", "[a](javascript:alert(1))"),
        ("[a](JAVASCRIPT:alert(1))", "[a](JAVASCRIPT:alert(1))"),
        ("[a](file:///etc/passwd)", "[a](file:///etc/passwd)"),
        ("[a](data:text/html,x)", "[a](data:text/html,x)"),
        ("[a](/relative)", "[a](/relative)"),
        # Images are never embedded: a link to the picture (when http/https), else the alt text.
        (
            "![diagram](https://example.com/d.png)",
            '<a href="https://example.com/d.png" rel="noopener noreferrer">diagram</a>',
        ),
        ("![secret](file:///etc/passwd)", "![secret](file:///etc/passwd)"),
    ],
)
def test_html_links_only_http_https_mailto(markdown: str, expected: str) -> None:
    page = to_html(markdown, "t")
    assert expected in page
    assert "<img" not in page


def test_checklist_items_become_boxes_only_when_written_as_such() -> None:
    page = to_html(SAMPLE, "t")
    assert '<li class="task-list-item">☐ SoW number (Statement of Work)</li>' in page
    assert '<li class="task-list-item">☑ Customer (Statement of Work)</li>' in page
    assert "<li>[ ] an escaped box, not a checklist item</li>" in page
    assert "☐ **x**" not in to_html("- [ ] **x**", "t")
    assert '<li class="task-list-item">☐ <strong>x</strong></li>' in to_html("- [ ] **x**", "t")


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_is_the_text_normalised() -> None:
    assert to_markdown("# T\r\n\r\nline\rnext\n\n\n", "ignored") == "# T\n\nline\nnext\n"
    assert to_markdown("a\x00b\x0bc\ud800", "t") == "abc\n"
    assert to_markdown(SAMPLE, "t") == SAMPLE


def test_export_dispatches_by_format() -> None:
    assert export(SAMPLE, "t", "md") == SAMPLE.encode()
    assert export(SAMPLE, "t", "html").startswith(b"<!DOCTYPE html>")
    assert export(SAMPLE, "t", "docx").startswith(b"PK")
    with pytest.raises(ValueError, match="unknown export format"):
        export(SAMPLE, "t", "rtf")  # type: ignore[arg-type]


# -- Word ---------------------------------------------------------------------------------------


def style_of(paragraph: Paragraph) -> str:
    style = paragraph.style
    assert style is not None and style.name is not None
    return str(style.name)


def test_docx_headings_use_heading_styles(sample_docx: DocxDocument) -> None:
    headings = [
        (style_of(p), p.text) for p in sample_docx.paragraphs if style_of(p).startswith("Heading")
    ]
    assert headings == [
        ("Heading 1", "Statement of Work: Sample"),
        ("Heading 2", "To confirm on the discovery call"),
        ("Heading 2", "Services"),
        ("Heading 3", "Notes on the design"),
    ]
    assert sample_docx.core_properties.title == "Statement of Work: Sample"


def test_docx_tables_are_word_tables(sample_docx: DocxDocument) -> None:
    (table,) = sample_docx.tables
    assert table.style is not None and table.style.name == "Table Grid"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Service", "Ports", "VIP"],
        ["PACS web viewer", "443", "10.20.0.50"],
        ["Customer <b>portal</b> | legacy", "8443", "[To confirm on the discovery call: VIP]"],
    ]
    header = table.rows[0].cells[0].paragraphs[0].runs
    assert header and all(run.bold for run in header)
    row_properties = table.rows[0]._tr.trPr
    assert row_properties is not None and row_properties.xpath(
        "./w:tblHeader"
    )  # repeated on every page
    assert table.rows[2].cells[2].paragraphs[0].runs[0].bold  # the placeholder's **
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_docx_lists_use_list_styles(sample_docx: DocxDocument) -> None:
    styles = {p.text: style_of(p) for p in sample_docx.paragraphs}
    assert styles["first bullet"] == "List Bullet"
    assert styles["nested bullet"] == "List Bullet 2"
    assert styles["step one"] == styles["another list, restarting"] == "List Number"
    assert styles["☐ SoW number (Statement of Work)"] == "List Paragraph"
    assert styles["☑ Customer (Statement of Work)"] == "List Paragraph"
    assert styles["[ ] an escaped box, not a checklist item"] == "List Bullet"

    def num_id(text: str) -> int:
        paragraph = next(p for p in sample_docx.paragraphs if p.text == text)
        return int(cast(Any, paragraph._p.pPr).numPr.numId.val)

    # Each numbered list restarts: its own numbering instance, starting where the Markdown says.
    assert num_id("step one") == num_id("step two") != num_id("another list, restarting")
    numbering = sample_docx.part.numbering_part.element
    start = numbering.num_having_numId(num_id("another list, restarting")).xpath(
        ".//w:startOverride/@w:val"
    )
    assert start == ["3"]


def test_docx_runs_carry_emphasis_code_and_links(sample_docx: DocxDocument) -> None:
    paragraph = next(p for p in sample_docx.paragraphs if p.text.startswith("A paragraph"))
    runs = {run.text: run for run in paragraph.iter_inner_content() if isinstance(run, Run)}
    assert runs["bold"].bold and runs["italic"].italic and runs["struck"].font.strike
    assert runs["code"].font.name == "Courier New"
    (link,) = paragraph.hyperlinks
    assert (link.text, link.address) == ("link", "https://example.com/sow")
    assert (
        "Markup stays text: <script>alert(1)</script> and *not emphasis* and 5 < 6 & 7."
        in paragraph.text
    )


def test_docx_survives_characters_xml_cannot_hold() -> None:
    document = docx_document(to_docx("# T\n\nbad \x00\x0b\x1f chars \ud800 here\n", "t\x07itle"))
    assert document.paragraphs[1].text == "bad  chars  here"


# -- PDF ----------------------------------------------------------------------------------------


def test_pdf_has_the_headings_tables_and_checklist(sample_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sample_pdf))
    assert reader.metadata is not None and reader.metadata.title == "Statement of Work: Sample"
    text = squash(pdf_text(sample_pdf))
    for expected in (
        "Statement of Work: Sample",
        "Notes on the design",
        "PACS web viewer",
        "10.20.0.50",
        "☐ SoW number (Statement of Work)",
        "[To confirm on the discovery call: VIP]",
        SCRIPT,
        "Page 1 of 1",
    ):
        assert squash(expected) in text
    assert "1.2.3.4." in text  # the list markers: the second list starts at 3 as written


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server that records every request it gets."""
    _Recorder.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_pdf_fetches_nothing(server: str) -> None:
    markdown = (
        f"# T\n\n![remote]({server}/image.png) ![file](file:///etc/passwd)\n\n"
        f'<img src="{server}/raw.png"> [a link]({server}/link)\n\n'
        f'<link rel="stylesheet" href="{server}/style.css">\n'
    )
    text = squash(pdf_text(to_pdf(markdown, "t")))
    assert _Recorder.hits == []
    assert "remote" in text and "![file](file:///etc/passwd)" in text


def test_pdf_url_fetcher_refuses_all_but_data(server: str) -> None:
    fetcher = pdf_url_fetcher()
    for url in (f"{server}/x.png", "file:///etc/passwd", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert _Recorder.hits == []
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


# -- The same content in every format -----------------------------------------------------------


def headings(markdown: str) -> list[str]:
    tokens = parse(markdown)
    return [
        "".join(child.content for child in (tokens[i + 1].children or []) if child.type == "text")
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


@pytest.fixture(scope="module")
def exported(draft: Draft) -> dict[str, str]:
    markdown, title = draft.markdown(), draft.title
    return {
        "md": to_markdown(markdown, title),
        "html": to_html(markdown, title),
        "pdf": squash(pdf_text(to_pdf(markdown, title))),
        "docx": docx_text(to_docx(markdown, title)),
    }


def test_every_format_has_every_heading(draft: Draft, exported: dict[str, str]) -> None:
    titles = headings(draft.markdown())
    assert titles[0] == draft.title
    assert {s.title for s in draft.sections} <= set(titles)
    for title in titles:
        assert f"# {title}" in exported["md"]
        assert f">{html.escape(title)}</h" in exported["html"]
        assert squash(title) in exported["pdf"]
        assert title in exported["docx"]


def test_every_format_has_every_placeholder_and_checklist_item(
    draft: Draft, exported: dict[str, str]
) -> None:
    assert draft.checklist, "the medical case leaves something to confirm (the SoW number at least)"
    titles = {s.id: s.title for s in draft.sections}
    for item in draft.checklist:
        placeholder = PLACEHOLDER.format(label=item.label)
        line = f"{item.label} ({titles[item.section]})"
        assert escape(placeholder) in exported["md"] and f"- [ ] {line}" in exported["md"]
        assert html.escape(placeholder, quote=False) in exported["html"]
        assert f"☐ {html.escape(line, quote=False)}" in exported["html"]
        assert squash(placeholder) in exported["pdf"] and squash(f"☐ {line}") in exported["pdf"]
        assert placeholder in exported["docx"] and f"☐ {line}" in exported["docx"]


def test_every_format_has_filled_values_as_text(draft: Draft, exported: dict[str, str]) -> None:
    customer = "Northshire <b>Health</b> & Co"
    assert escape(customer) in exported["md"]
    assert html.escape(customer, quote=False) in exported["html"]
    assert squash(customer) in exported["pdf"] and customer in exported["docx"]
    assert "PACS*2026*" in exported["pdf"] and "PACS *2026*" in exported["docx"]
    for field in draft.fields:
        if field.filled and field.text and "\n" not in field.text and len(field.text) < 40:
            assert html.escape(field.text, quote=False) in exported["html"], field.key
            assert field.text in exported["docx"], field.key
