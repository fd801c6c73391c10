"""What an uploaded file is, judged by its content: never by its name or the browser's say-so.

Customers upload high-level designs and network diagrams. :func:`sniff` looks at the first bytes
(and, for ZIP containers, at the archive's central directory only) and returns one of the kinds
of :data:`questionnaire.engine.model.FileKind`, or ``None`` for anything it does not recognise or
refuses. Markup (HTML, XML, SVG, script) is always refused, whatever the file is called, so an
HTML page renamed ``.png`` or ``.txt`` can never be served back to a browser.

:func:`safe_display_name` keeps the customer's filename as data for display only; stored files
are never named after it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import BinaryIO, Final

__all__ = [
    "KIND_MEDIA_TYPES",
    "KIND_NAMES",
    "MAX_ZIP_ENTRIES",
    "safe_display_name",
    "sniff",
]

#: kind -> the media type we serve it with.
KIND_MEDIA_TYPES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "vsdx": "application/vnd.ms-visio.drawing.main+xml",
        "txt": "text/plain; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "zip": "application/zip",
        "targz": "application/gzip",
    }
)

#: kind -> what a customer calls it.
KIND_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pdf": "PDF",
        "png": "PNG image",
        "jpeg": "JPEG image",
        "gif": "GIF image",
        "docx": "Word document",
        "xlsx": "Excel workbook",
        "pptx": "PowerPoint presentation",
        "vsdx": "Visio drawing",
        "txt": "text file",
        "csv": "CSV file",
        "zip": "ZIP archive",
        "targz": "compressed tar archive (.tar.gz)",
    }
)

#: Archives with more entries than this are refused (before their directory is parsed).
MAX_ZIP_ENTRIES: Final = 10_000

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_GZIP_SIGNATURE: Final = b"\x1f\x8b\x08"  # gzip, deflate: the only method gzip defines
# A POSIX (ustar) or GNU tar header names its format at offset 257 of its first 512-byte block.
_TAR_BLOCK: Final = 512
_TAR_MAGIC_AT: Final = 257
_TAR_MAGICS: Final = (b"ustar\x0000", b"ustar  \x00")
_ZIP_SIGNATURES: Final = (b"PK\x03\x04", b"PK\x05\x06")

# OOXML main parts (compared case-insensitively: OPC part names are case-insensitive).
_OOXML_CONTENT_TYPES: Final = "[content_types].xml"
_OOXML_MAIN_PARTS: Final = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
    ("visio/document.xml", "vsdx"),
)
# Macro-enabled packages (.docm, .xlsm, .pptm, .vsdm) carry their VBA in this part.
_OOXML_MACROS: Final = "vbaproject.bin"

# C0 controls other than \t \n \f \r.
_FORBIDDEN_CONTROLS: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# A markup tag, declaration, comment or processing instruction at the very start: this covers
# "<!doctype", "<html", "<?xml", "<svg", "<script" and the rest of the WHATWG HTML sniffing list.
_MARKUP_START: Final = re.compile(r"<[a-z!?/]", re.IGNORECASE)
_MARKUP_ANYWHERE: Final = ("<script", "<svg", "<html")

_CSV_DELIMITERS: Final = (",", ";")
_CSV_SAMPLE_ROWS: Final = 5

# ZIP structures, as zipfile reads them.
_EOCD: Final = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE: Final = b"PK\x05\x06"
_ZIP64_LOCATOR: Final = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE: Final = b"PK\x06\x07"
_ZIP64_EOCD: Final = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE: Final = b"PK\x06\x06"
_CENTRAL_HEADER_SIZE: Final = 46
_CENTRAL_HEADER_SIGNATURE: Final = b"PK\x01\x02"
_CENTRAL_HEADER_LENGTHS: Final = struct.Struct("<3H")  # name, extra, comment; at offset 28
_MAX_COMMENT: Final = 1 << 16


def sniff(head: bytes, open_file: Callable[[], BinaryIO] | None = None) -> str | None:
    """The kind of an uploaded file, judged by its content; ``None`` if unrecognised or refused.

    ``head`` is the first 8 KiB of the file (or all of it). ``open_file`` returns a seekable
    binary stream of the whole file; it is needed to look inside ZIP containers (without it a ZIP
    signature is reported as ``"zip"``). Only the archive's central directory is read, never a
    member, and ``sniff`` closes the stream it was given. Never raises.
    """
    try:
        return _sniff(bytes(head), open_file)
    except Exception:
        return None


def _sniff(head: bytes, open_file: Callable[[], BinaryIO] | None) -> str | None:
    text = _clean_text(head)
    if text is not None and _looks_like_markup(text):
        # Also catches text-only polyglots such as b"GIF89a<script>...".
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(_ZIP_SIGNATURES):
        return "zip" if open_file is None else _sniff_zip(open_file)
    if head.startswith(_GZIP_SIGNATURE):
        return "targz" if _is_tar(head) else None
    if text is None or not text.strip():
        return None
    return "csv" if _looks_like_csv(text) else "txt"


# -- Text ---------------------------------------------------------------------------------------


def _clean_text(head: bytes) -> str | None:
    """The head as text if it is UTF-8 without NUL or stray control characters, else ``None``.

    A multi-byte sequence cut off at the very end of the head is allowed (the head is a prefix
    of the file); a leading UTF-8 BOM is dropped.
    """
    if b"\x00" in head:
        return None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if _FORBIDDEN_CONTROLS.search(text):
        return None
    return text


def _looks_like_markup(text: str) -> bool:
    if _MARKUP_START.match(text.lstrip().lstrip("\ufeff").lstrip()):
        return True
    lowered = text.lower()
    return any(marker in lowered for marker in _MARKUP_ANYWHERE)


def _looks_like_csv(text: str) -> bool:
    """Two or more rows with the same number (two or more) of comma- or semicolon-separated
    fields across the first few non-blank rows; quoted fields are honoured."""
    sample = text
    cut = max(text.rfind("\n"), text.rfind("\r"))
    if 0 <= cut < len(text) - 1:
        # The last line may have been cut off by the end of the head: leave it out if the
        # complete lines are enough to judge by.
        complete = text[: cut + 1]
        if sum(1 for line in complete.splitlines() if line.strip()) >= 2:
            sample = complete
    return any(_consistent(_first_rows(sample, delimiter)) for delimiter in _CSV_DELIMITERS)


def _consistent(rows: list[list[str]]) -> bool:
    return len(rows) >= 2 and len(rows[0]) >= 2 and all(len(row) == len(rows[0]) for row in rows)


def _first_rows(sample: str, delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            rows.append(row)
            if len(rows) == _CSV_SAMPLE_ROWS:
                break
    except csv.Error:
        return []
    return rows


# -- Compressed tar archives (support downloads) ------------------------------------------------


def _is_tar(gzipped_head: bytes) -> bool:
    """Whether the gzip stream's first block is a tar header; only that block is inflated."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        block = inflater.decompress(gzipped_head, _TAR_BLOCK)
    except zlib.error:
        return False
    magic = block[_TAR_MAGIC_AT : _TAR_MAGIC_AT + 8]
    return len(block) == _TAR_BLOCK and magic in _TAR_MAGICS


# -- ZIP containers -----------------------------------------------------------------------------


def _sniff_zip(open_file: Callable[[], BinaryIO]) -> str | None:
    try:
        with open_file() as stream:
            names = _zip_names(stream)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        RuntimeError,
        EOFError,
        ValueError,
        struct.error,
    ):
        return None
    if names is None:
        return None
    parts = {name.lower() for name in names}
    if _OOXML_CONTENT_TYPES not in parts:
        return "zip"
    kinds = [kind for part, kind in _OOXML_MAIN_PARTS if part in parts]
    if not kinds:
        return "zip"
    if len(kinds) > 1:
        return None  # two documents in one package: not something Office wrote
    if any(part.rsplit("/", 1)[-1] == _OOXML_MACROS for part in parts):
        return None  # macro-enabled (.docm, .xlsm, ...): not one of our kinds
    return kinds[0]


def _zip_names(stream: BinaryIO) -> list[str] | None:
    """The member names from the central directory, or ``None`` if there are too many.

    The entries are counted before zipfile parses the directory, so a directory of millions of
    tiny entries costs at most ``MAX_ZIP_ENTRIES + 1`` header reads. Nothing is decompressed.
    """
    count = _count_central_directory(stream, MAX_ZIP_ENTRIES + 1)
    if count is None or count > MAX_ZIP_ENTRIES:
        return None
    with zipfile.ZipFile(stream) as archive:
        infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        return None
    return [info.filename for info in infos]


def _count_central_directory(stream: BinaryIO, limit: int) -> int | None:
    """How many entries the central directory holds (counting stops at ``limit``).

    Finds the directory exactly as ``zipfile`` does (end record, optional ZIP64 records) and walks
    its headers without building anything. ``None`` if the archive is malformed.
    """
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size < _EOCD.size:
        return None
    stream.seek(size - _EOCD.size)
    record = stream.read(_EOCD.size)
    if record.startswith(_EOCD_SIGNATURE) and record.endswith(b"\x00\x00"):
        eocd_at = size - _EOCD.size
    else:  # an archive comment follows the end record
        search_from = max(size - _MAX_COMMENT - _EOCD.size, 0)
        stream.seek(search_from)
        tail = stream.read()
        found = tail.rfind(_EOCD_SIGNATURE)
        if found < 0 or len(tail) - found < _EOCD.size:
            return None
        eocd_at = search_from + found
        record = tail[found : found + _EOCD.size]
    cd_size: int = _EOCD.unpack(record)[5]
    cd_start = eocd_at - cd_size

    if eocd_at >= _ZIP64_LOCATOR.size:
        stream.seek(eocd_at - _ZIP64_LOCATOR.size)
        locator = stream.read(_ZIP64_LOCATOR.size)
        if len(locator) == _ZIP64_LOCATOR.size:
            signature, disk, _offset, disks = _ZIP64_LOCATOR.unpack(locator)
            if signature == _ZIP64_LOCATOR_SIGNATURE:
                if disk != 0 or disks > 1:
                    return None  # multi-disk: zipfile refuses these too
                zip64_at = eocd_at - _ZIP64_LOCATOR.size - _ZIP64_EOCD.size
                if zip64_at < 0:
                    return None
                stream.seek(zip64_at)
                zip64 = stream.read(_ZIP64_EOCD.size)
                if len(zip64) == _ZIP64_EOCD.size:
                    fields = _ZIP64_EOCD.unpack(zip64)
                    if fields[0] == _ZIP64_EOCD_SIGNATURE:
                        cd_size = fields[8]
                        cd_start = zip64_at - cd_size
    if cd_start < 0:
        return None

    count = 0
    offset = 0
    while offset < cd_size:
        if offset + _CENTRAL_HEADER_SIZE > cd_size:
            return None
        stream.seek(cd_start + offset)
        header = stream.read(_CENTRAL_HEADER_SIZE)
        if len(header) != _CENTRAL_HEADER_SIZE or not header.startswith(_CENTRAL_HEADER_SIGNATURE):
            return None
        count += 1
        if count >= limit:
            return count
        name_length, extra_length, comment_length = _CENTRAL_HEADER_LENGTHS.unpack_from(header, 28)
        offset += _CENTRAL_HEADER_SIZE + name_length + extra_length + comment_length
    return count


# -- Display names ------------------------------------------------------------------------------

_MAX_DISPLAY_NAME: Final = 200
_MAX_EXTENSION: Final = 16  # including the dot
_WHITESPACE_CONTROLS: Final = frozenset("\t\n\v\f\r")
# Invisible characters that can make a name display as something else ("evil\u202efdp.exe").
_INVISIBLE: Final = frozenset(
    "\u061c\u200e\u200f"  # Arabic letter mark, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\ufeff"  # zero-width no-break space (BOM)
)
_PATH_SEPARATORS: Final = re.compile(r"[/\\]")


def safe_display_name(name: str) -> str:
    """The customer's filename, fit to be shown back to them; only ever data, never a path.

    Keeps the last path component (``/`` and ``\\`` both separate), drops control and invisible
    direction-changing characters, collapses whitespace and keeps at most 200 characters, the
    extension included. Unicode is kept (NFC-normalised). An empty result becomes ``"upload"``.
    """
    component = _PATH_SEPARATORS.split(unicodedata.normalize("NFC", name))[-1]
    kept: list[str] = []
    for char in component:
        if char in _WHITESPACE_CONTROLS:
            kept.append(" ")
        elif char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs"):
            continue
        else:
            kept.append(" " if char.isspace() else char)
    cleaned = " ".join("".join(kept).split())
    if cleaned in ("", ".", ".."):
        return "upload"
    if len(cleaned) <= _MAX_DISPLAY_NAME:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    suffix = dot + extension
    if not stem or len(suffix) > _MAX_EXTENSION or " " in suffix:
        suffix = ""
        stem = cleaned
    return stem[: _MAX_DISPLAY_NAME - len(suffix) - 1].rstrip() + "\u2026" + suffix
