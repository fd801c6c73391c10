"""Upload sniffing by content: tiny real files built in memory, the refusals, and display names."""

from __future__ import annotations

import gzip
import io
import random
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire.engine.model import FileKind
from questionnaire.services.filetypes import (
    KIND_MEDIA_TYPES,
    KIND_NAMES,
    MAX_ZIP_ENTRIES,
    safe_display_name,
    sniff,
)

HEAD = 8192

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF87 = b"GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00;"
GIF89 = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00;"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"

CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/"/>'


def make_zip(*names: str, data: bytes = b"<x/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, CONTENT_TYPES if name == "[Content_Types].xml" else data)
    return buffer.getvalue()


def ooxml(main_part: str, *extra: str, data: bytes = b"<x/>") -> bytes:
    return make_zip("[Content_Types].xml", "_rels/.rels", main_part, *extra, data=data)


def opener(data: bytes) -> Callable[[], BinaryIO]:
    return lambda: io.BytesIO(data)


def sniff_file(data: bytes) -> str | None:
    """How the web layer calls it: the first 8 KiB, and a way to reopen the whole file."""
    return sniff(data[:HEAD], opener(data))


# -- The tables ----------------------------------------------------------------------------------


def test_tables_cover_exactly_the_engine_file_kinds() -> None:
    kinds = set(get_args(FileKind))
    assert set(KIND_MEDIA_TYPES) == kinds
    assert set(KIND_NAMES) == kinds


def test_media_types_and_names() -> None:
    assert KIND_MEDIA_TYPES["pdf"] == "application/pdf"
    assert KIND_MEDIA_TYPES["vsdx"] == "application/vnd.ms-visio.drawing.main+xml"
    assert KIND_MEDIA_TYPES["txt"] == "text/plain; charset=utf-8"
    assert KIND_MEDIA_TYPES["csv"] == "text/csv; charset=utf-8"
    assert KIND_MEDIA_TYPES["docx"].endswith("wordprocessingml.document")
    assert KIND_NAMES["docx"] == "Word document"
    assert KIND_NAMES["vsdx"] == "Visio drawing"
    with pytest.raises(TypeError):
        KIND_NAMES["pdf"] = "changed"  # type: ignore[index]


# -- Recognised ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (b"%PDF-", "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (GIF87, "gif"),
        (GIF89, "gif"),
    ],
)
def test_signatures(data: bytes, kind: str) -> None:
    assert sniff(data) == kind
    assert sniff_file(data) == kind


@pytest.mark.parametrize(
    ("main_part", "kind"),
    [
        ("word/document.xml", "docx"),
        ("xl/workbook.xml", "xlsx"),
        ("ppt/presentation.xml", "pptx"),
        ("visio/document.xml", "vsdx"),
    ],
)
def test_ooxml_packages(main_part: str, kind: str) -> None:
    assert sniff_file(ooxml(main_part)) == kind


def test_ooxml_needs_a_stream_to_look_inside() -> None:
    assert sniff(ooxml("word/document.xml")) == "zip"


def test_ooxml_needs_content_types() -> None:
    assert sniff_file(make_zip("word/document.xml")) == "zip"


def test_other_packages_with_content_types_are_plain_zips() -> None:
    assert sniff_file(make_zip("[Content_Types].xml", "3D/3dmodel.model")) == "zip"


def test_plain_and_empty_zips() -> None:
    assert sniff_file(make_zip("diagram.png", "notes/readme.txt")) == "zip"
    empty = make_zip()
    assert empty.startswith(b"PK\x05\x06")
    assert sniff_file(empty) == "zip"
    assert sniff(empty) == "zip"


def test_zip_with_an_archive_comment() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", b"<x/>")
        archive.comment = b"Exported by the design tool"
    assert sniff_file(buffer.getvalue()) == "xlsx"


def test_zip64_end_records_are_followed() -> None:
    data = ooxml("ppt/presentation.xml")
    # Rewrite the end of the archive with ZIP64 records, as streaming writers do.
    eocd_at = data.rindex(b"PK\x05\x06")
    (_, _, _, entries, total, cd_size, cd_offset, _) = struct.unpack(
        "<4s4H2LH", data[eocd_at : eocd_at + 22]
    )
    zip64_at = eocd_at
    zip64 = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, total, cd_size, cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_at, 1)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    rewritten = data[:eocd_at] + zip64 + locator + eocd
    with zipfile.ZipFile(io.BytesIO(rewritten)) as archive:  # zipfile agrees it is valid
        assert "ppt/presentation.xml" in archive.namelist()
    assert sniff_file(rewritten) == "pptx"


def test_zip_members_are_never_read() -> None:
    data = bytearray(ooxml("word/document.xml", data=b"<w:document>" * 100))
    # Corrupt a member's compressed data: only the central directory is looked at.
    member = data.index(b"word/document.xml") + len("word/document.xml")
    data[member : member + 20] = b"\xff" * 20
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive, pytest.raises(zlib.error):
        archive.read("word/document.xml")
    assert sniff_file(bytes(data)) == "docx"


def test_large_file_is_judged_from_its_head_and_directory() -> None:
    data = ooxml(
        "visio/document.xml", "visio/media/image1.png", data=random.Random(0).randbytes(HEAD)
    )
    assert len(data) > HEAD
    assert sniff_file(data) == "vsdx"


def test_stream_is_closed_after_sniffing() -> None:
    stream = io.BytesIO(ooxml("word/document.xml"))
    assert sniff(stream.getvalue(), lambda: stream) == "docx"
    assert stream.closed


TEXT_CASES = [
    (b"Hello, world\n", "txt"),
    (b"Core switch in Paris.\nEdge router in Lyon.\n", "txt"),
    ("Réseau \u2013 plan général\nSites : Genève, Zürich\n".encode(), "txt"),
    ("\ufeffNotes on the design\n".encode(), "txt"),
    (b"form feed\x0cand tabs\there\r\n", "txt"),
    (b"site,vlan,subnet\nparis,10,10.0.10.0/24\nlyon,20,10.0.20.0/24\n", "csv"),
    (b"site;vlan\r\nparis;10\r\nlyon;20", "csv"),
    ("\ufeffsite,ville\nGenève,Genève\nZürich,Zürich\n".encode(), "csv"),
    (b'name,notes\n"core, paris","uplink, 10G"\nedge,none\n', "csv"),
    (b"a,b\nc,d", "csv"),
    (b"a,b\nc,d,e\n", "txt"),  # inconsistent
    (b"only,one,line\n", "txt"),  # a single line is not enough
    (b"plain\nlines\nwith no delimiters\n", "txt"),
    (b"site\tvlan\nparis\t10\n", "txt"),  # tabs are not a CSV delimiter here
    (b"GIF88a", "txt"),  # near misses of a signature that are plain text
    (b"%PDF", "txt"),
]


@pytest.mark.parametrize(("data", "kind"), TEXT_CASES)
def test_text(data: bytes, kind: str) -> None:
    assert sniff(data) == kind
    assert sniff_file(data) == kind


def test_truncated_multibyte_at_the_head_boundary_is_text() -> None:
    data = ("é" * 5000).encode()
    head = data[: HEAD - 1]  # odd: the last "é" is cut in half
    assert head[-1:] == b"\xc3"
    assert sniff(head) == "txt"
    assert sniff_file(data) == "txt"
    assert sniff(("€" * 10).encode()[:-1]) == "txt"  # three-byte sequence cut after two bytes


def test_csv_whose_last_line_is_cut_by_the_head() -> None:
    lines = ["site,vlan,description"] + [f"s{i},{i},{'x' * 3000}" for i in range(4)]
    data = "\n".join(lines).encode()
    assert len(data) > HEAD
    assert sniff_file(data) == "csv"


# -- Refused -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"<html><body>renamed .png</body></html>",
        b"  \n\t<HTML>",
        "\ufeff<!doctype html>".encode(),
        b'<?xml version="1.0"?><note/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<script>alert(1)</script>",
        b"<p>hello</p>",
        b"<!-- a comment -->",
        b"<mxfile><diagram/></mxfile>",
        b"Just notes, then <Script>alert(1)</script>\n",
        b"a,b\nc,<svg onload=alert(1)>\n",
        b"hello\n\n<hTmL>",
        b"GIF89a<script>alert(1)</script>",  # a text-only polyglot
        b"%PDF-<html><script>alert(1)</script>",
    ],
)
def test_markup_is_refused(data: bytes) -> None:
    assert sniff(data) is None
    assert sniff_file(data) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t\r\n",
        b"\xef\xbb\xbf",
        b"text with a NUL\x00 byte",
        b"text with an escape \x1b[31m",
        b"vertical\x0btab",
        "caf\xe9 au lait\n".encode("latin-1"),  # not UTF-8
        "UTF-16 text".encode("utf-16"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),  # legacy Office (OLE2)
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable
        bytes(range(256)) * 4,  # a binary blob
        b"\x89PNX\r\n\x1a\n",  # a near miss
    ],
)
def test_unrecognised(data: bytes) -> None:
    assert sniff(data) is None
    assert sniff_file(data) is None


def test_corrupt_zip_with_a_pk_header() -> None:
    corrupt = b"PK\x03\x04" + b"\x00" * 100 + b"not really a zip"
    assert sniff(corrupt) == "zip"  # without a stream only the signature can be judged
    assert sniff_file(corrupt) is None
    truncated = ooxml("word/document.xml")[:-10]
    assert sniff_file(truncated) is None


def test_zip_whose_directory_is_cut_off() -> None:
    data = ooxml("word/document.xml")
    eocd_at = data.rindex(b"PK\x05\x06")
    fields = list(struct.unpack("<4s4H2LH", data[eocd_at : eocd_at + 22]))
    fields[5] += 1000  # the directory claims to be bigger than the file
    broken = data[:eocd_at] + struct.pack("<4s4H2LH", *fields)
    assert sniff_file(broken) is None


def test_open_file_failures_are_refusals() -> None:
    data = ooxml("word/document.xml")

    def failing() -> BinaryIO:
        raise OSError("gone")

    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

        def seek(self, offset: int, whence: int = 0) -> int:
            raise io.UnsupportedOperation("seek")

    assert sniff(data, failing) is None
    assert sniff(data, lambda: Unseekable(data)) is None


def test_macro_enabled_and_ambiguous_packages_are_refused() -> None:
    assert sniff_file(ooxml("word/document.xml", "word/vbaProject.bin")) is None
    assert sniff_file(ooxml("xl/workbook.xml", "xl/vbaProject.bin")) is None
    assert sniff_file(ooxml("word/document.xml", "xl/workbook.xml")) is None


def _many_entries(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"{index}", b"")
    return buffer.getvalue()


def test_archives_with_too_many_entries_are_refused() -> None:
    assert sniff_file(_many_entries(MAX_ZIP_ENTRIES)) == "zip"
    too_many = _many_entries(MAX_ZIP_ENTRIES + 1)
    assert sniff_file(too_many) is None
    # The end record's entry counts are not trusted: the directory itself is counted.
    eocd_at = too_many.rindex(b"PK\x05\x06")
    fields = list(struct.unpack("<4s4H2LH", too_many[eocd_at : eocd_at + 22]))
    fields[3] = fields[4] = 1
    lying = too_many[:eocd_at] + struct.pack("<4s4H2LH", *fields)
    assert sniff_file(lying) is None


# -- Support downloads (.tar.gz) ---------------------------------------------------------------


def _tar_gz(member: bytes = b"global\n", *, gnu: bool = False) -> bytes:
    buffer = io.BytesIO()
    form = tarfile.GNU_FORMAT if gnu else tarfile.USTAR_FORMAT
    with tarfile.open(fileobj=buffer, mode="w:gz", format=form) as archive:
        info = tarfile.TarInfo("lbsupport/haproxy.cfg")
        info.size = len(member)
        archive.addfile(info, io.BytesIO(member))
    return buffer.getvalue()


def test_support_downloads_are_tar_gz() -> None:
    assert sniff_file(_tar_gz()) == "targz"
    assert sniff_file(_tar_gz(gnu=True)) == "targz"
    assert sniff_file(_tar_gz(b"x" * 100_000)) == "targz"  # judged from the head alone


@pytest.mark.parametrize(
    "data",
    [
        gzip.compress(b"plain text, not an archive\n" * 100),
        gzip.compress(b"<html><script>alert(1)</script></html>" + b"\x00" * 600),
        _tar_gz()[:20],  # cut off before the first block
        b"\x1f\x8b\x08" + b"\xff" * 50,  # a gzip signature over garbage
    ],
)
def test_other_gzip_files_are_refused(data: bytes) -> None:
    assert sniff_file(data) is None


# -- Never raises --------------------------------------------------------------------------------

prefixes = st.sampled_from(
    [
        b"",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"%PDF-",
        b"GIF89a",
        b"\xef\xbb\xbf",
        b"\x89PNG\r\n\x1a\n",
        b"\x1f\x8b\x08",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=prefixes, body=st.binary(max_size=2048), with_stream=st.booleans())
def test_sniff_never_raises_on_random_bytes(prefix: bytes, body: bytes, with_stream: bool) -> None:
    data = prefix + body
    kind = sniff(data, opener(data) if with_stream else None)
    assert kind is None or kind in KIND_MEDIA_TYPES


@given(text=st.text(max_size=300))
def test_sniff_never_raises_on_random_text(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    kind = sniff(data, opener(data))
    assert kind in (None, "txt", "csv", "pdf", "gif", "zip")


DOCX = ooxml("word/document.xml", data=b"<w:document/>" * 10)


@settings(max_examples=300)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(0, len(DOCX)),
)
def test_sniff_never_raises_on_damaged_zips(edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(DOCX)
    for position, value in edits:
        data[position] = value
    damaged = bytes(data[: max(cut, 4)])
    kind = sniff(damaged[:HEAD], opener(damaged))
    assert kind is None or kind in KIND_MEDIA_TYPES


# -- Display names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("design.pdf", "design.pdf"),
        ("Réseau \u2013 plan.pdf", "Réseau \u2013 plan.pdf"),
        ("ネットワーク構成図.vsdx", "ネットワーク構成図.vsdx"),
        ("Re\u0301seau.pdf", "Réseau.pdf"),  # decomposed (macOS) becomes composed
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("/abs/path/to/HLD v2.docx", "HLD v2.docx"),
        ("a\x00b\x07c.txt", "abc.txt"),
        ("line\nbreak\tand   spaces .png", "line break and spaces .png"),
        ("  padded  ", "padded"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("bad\udcffbytes.txt", "badbytes.txt"),
        ("", "upload"),
        ("   ", "upload"),
        ("\x00\x01", "upload"),
        ("dir/", "upload"),
        ("..", "upload"),
        ("a/b/..", "upload"),
    ],
)
def test_safe_display_name(name: str, shown: str) -> None:
    assert safe_display_name(name) == shown


def test_long_names_keep_their_extension() -> None:
    shown = safe_display_name("é" * 500 + ".vsdx")
    assert len(shown) == 200
    assert shown.endswith("\u2026.vsdx")
    assert shown.startswith("é" * 100)
    exactly = "x" * 195 + ".pdf"
    assert safe_display_name(exactly) == exactly


def test_long_names_without_an_extension() -> None:
    assert len(safe_display_name("x" * 1000)) == 200
    shown = safe_display_name("x" * 300 + "." + "y" * 50)  # too long to be an extension
    assert len(shown) == 200
    assert shown.endswith("\u2026")


@given(st.text())
def test_safe_display_name_properties(name: str) -> None:
    shown = safe_display_name(name)
    assert 0 < len(shown) <= 200
    assert "/" not in shown
    assert "\\" not in shown
    assert shown == shown.strip()
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in shown)
    shown.encode("utf-8")  # no lone surrogates
