"""A made-up network for the outgoing-HTTP tests: names the test answers, and connections it
refuses, with real servers on 127.0.0.1 behind them.

:func:`faking` patches ``socket.getaddrinfo`` (the names in ``Network.answers`` get the test's
answers, one after the other, the last one repeated, none meaning not found; any other name the
real resolver's) and ``socket.socket.connect``: a connection to loopback goes through, one to an
address in ``into_local`` is taken to 127.0.0.1 on the same port (a "public" server that is really this
one), and any other is refused at once and recorded, so nothing leaves this machine.
``Local`` is a real HTTP (or, given a TLS context, https) server that records each request.
"""

from __future__ import annotations

import datetime
import errno
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Global addresses (``ipaddress`` says so) that the guard never lets a connection reach.
PUBLIC = "93.184.216.34"
OTHER_PUBLIC = "93.184.216.35"
FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


@dataclass
class Network:
    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    into_local: set[str] = field(default_factory=set)
    #: The test's names as they were looked up, in order.
    lookups: list[str] = field(default_factory=list)
    #: (address, port) of every connection refused.
    refused: list[tuple[str, int]] = field(default_factory=list)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def faking(monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    network = Network()
    real_lookup, real_connect = socket.getaddrinfo, socket.socket.connect

    def lookup(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
               flags: int = 0) -> list[Any]:  # fmt: skip
        if host not in network.answers:
            return real_lookup(host, port, family, type, proto, flags)
        network.lookups.append(host)
        queue = network.answers[host]
        ips = queue.pop(0) if len(queue) > 1 else queue[0] if queue else []
        if not ips:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        return [(*tcp, (ip, int(port or 0))) for ip in ips]

    def connect(sock: socket.socket, address: Any) -> None:
        host, port = str(address[0]), int(address[1])
        if host in network.into_local:
            return real_connect(sock, ("127.0.0.1", port))
        if _loopback(host):
            return real_connect(sock, address)
        network.refused.append((host, port))
        raise ConnectionRefusedError(errno.ECONNREFUSED, "refused by the test (not loopback)")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield network


@dataclass
class Local:
    port: int = 0
    #: (method, path, Host header) of each request received.
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    #: path -> Location: answered 302 there.
    redirects: dict[str, str] = field(default_factory=dict)


def _handler(local: Local) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            local.seen.append(("GET", self.path, self.headers.get("Host", "")))
            if self.path in local.redirects:
                self._answer(302, b"", Location=local.redirects[self.path])
            else:
                self._answer(200, FEED, **{"Content-Type": "text/calendar"})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            local.seen.append(("POST", self.path, self.headers.get("Host", "")))
            self._answer(204, b"")

        def _answer(self, code: int, body: bytes, **headers: str) -> None:
            self.send_response(code)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[Local]:
    """A server on 127.0.0.1 (a free port) until the block ends; https with ``tls``."""
    local = Local()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(local))
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    local.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield local
    finally:
        server.shutdown()
        server.server_close()


def self_signed(folder: Path, name: str) -> Path:
    """A certificate for ``name`` (a DNS name only, no address): ``<folder>/<name>.crt``, its
    key beside it in ``<name>.key``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path = folder / f"{name}.crt"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )  # fmt: skip
    return path


def server_context(certificate: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, certificate.with_suffix(".key"))
    return context


def trusting(certificate: Path) -> ssl.SSLContext:
    """The default client context (verifying the certificate and the name), trusting this one."""
    return ssl.create_default_context(cafile=str(certificate))
