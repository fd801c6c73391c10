"""Files for the engagement-file and retention tests: tiny real ones, built in memory."""

from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from typing import IO

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
LOG = b"2026-12-01 10:00:01 lbmaster haproxy[123]: backend web has no server available\n"


def support_download() -> bytes:
    """A load balancer's support download: a .tar.gz of its logs and configuration."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = b"global\n    maxconn 40000\n"
        info = tarfile.TarInfo("lbsupport/haproxy.cfg")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass
class Incoming:
    """A file as the web layer hands it over (werkzeug's FileStorage has this shape)."""

    filename: str | None
    data: bytes

    @property
    def stream(self) -> IO[bytes]:
        return io.BytesIO(self.data)
