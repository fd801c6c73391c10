"""Outgoing HTTP to an address from outside, connecting to exactly the addresses it checked.

Each connection resolves its host once (:func:`addresses`); unless private addresses are
allowed, every address of the answer must be public (loopback, private, link-local, reserved
and the like are refused), and the socket is then opened to those addresses, in order, the
first that accepts, never to the name: a name resolved again when connecting could answer
differently the second time (DNS rebinding: a public address for the check, then 127.0.0.1 or
169.254.169.254). The request still carries the URL's name as its ``Host``, and for https the
TLS handshake is given that name (SNI) and verifies the certificate against it with the
default context: the pinned address changes where we connect, not whom we accept. With
private addresses allowed (an intranet server, the tests) any address goes, still connected to
as resolved, once.

:func:`opener` builds a urllib opener with only these connections: http and https (no
``file:``, ``ftp:`` or ``data:`` handler) and no proxy from the environment (a proxy would
resolve the name itself). A redirect its ``redirects`` handler lets through is a new request,
so a new connection, resolved, checked and pinned the same way.

A refusal is a :class:`FetchError` (it is not an ``OSError``, so urllib passes it on as it is);
a name that cannot be found is one too, unless private addresses are allowed, when it is the
connection's own error, as it was before addresses were pinned.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class FetchError(Exception):
    """The address was refused, or could not be fetched; the message says why, for a person."""


@dataclass(frozen=True)
class Policy:
    """Which addresses a connection may go to, and how a refusal is worded."""

    #: Any address (on-premises set-ups, tests); still connected to as resolved, once.
    allow_private: bool
    #: How messages start: "The calendar's address".
    named: str
    #: What to do about a private address, after the refusal.
    private_hint: str


def check_scheme(url: str, named: str) -> None:
    """Refuse a URL that is not http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{named} must start with https:// or http://")


def check_public(url: str, *, allow_private: bool, named: str, private_hint: str) -> None:
    """Refuse a URL that is not http(s), or (unless ``allow_private``) whose host has an
    address that is not public: the calendar feeds' check, and the completion webhook's, made
    ahead (each connection checks again what it connects to). Messages start with ``named``."""
    check_scheme(url, named)
    if allow_private:
        return
    parts = urlsplit(url)
    policy = Policy(allow_private=False, named=named, private_hint=private_hint)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port out of range
        raise FetchError(f"{named} could not be found: {exc}") from exc
    addresses(str(parts.hostname), port, policy)


def addresses(host: str, port: int, policy: Policy) -> list[str]:
    """``host``'s addresses, resolved once, in the resolver's order: all public, unless the
    policy allows any."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        if policy.allow_private:
            raise  # reported as the connection's failure, as before
        raise FetchError(f"{policy.named} could not be found: {exc}") from exc
    listed: list[str] = []
    for *_, address in found:
        ip = str(address[0])
        if not policy.allow_private and not ipaddress.ip_address(ip.split("%")[0]).is_global:
            raise FetchError(f"{policy.named} is on a private network: {policy.private_hint}")
        if ip not in listed:
            listed.append(ip)
    return listed


def connect_any(
    ips: Sequence[str], port: int, timeout: Any, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """A socket to the first of ``ips`` that accepts; the last failure if none does."""
    failure: OSError = OSError(f"no address to connect to on port {port}")
    for ip in ips:
        try:
            return socket.create_connection((ip, port), timeout, source_address)
        except OSError as exc:
            failure = exc
    raise failure


def _source(connection: http.client.HTTPConnection) -> tuple[str, int] | None:
    """The connection's ``source_address`` (set by http.client, missing from its stubs)."""
    found: tuple[str, int] | None = getattr(connection, "source_address", None)
    return found


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the checked addresses of its host (the ``Host`` stays the name)."""

    def __init__(self, host: str, *, policy: Policy, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self.policy = policy

    def connect(self) -> None:
        sys.audit("http.client.connect", self, self.host, self.port)
        ips = addresses(self.host, self.port, self.policy)
        self.sock = connect_any(ips, self.port, self.timeout, _source(self))
        with contextlib.suppress(OSError):  # as http.client does
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An https connection to the checked addresses of its host, its TLS handshake given the
    name, so that the certificate is verified against the name (by default, the system's
    trust with hostname checking: ``ssl.create_default_context()``)."""

    def __init__(
        self, host: str, *, policy: Policy, context: ssl.SSLContext | None = None, **kwargs: Any
    ) -> None:
        self.tls = context or ssl.create_default_context()
        super().__init__(host, context=self.tls, **kwargs)
        self.policy = policy

    def connect(self) -> None:
        sys.audit("http.client.connect", self, self.host, self.port)
        ips = addresses(self.host, self.port, self.policy)
        sock = connect_any(ips, self.port, self.timeout, _source(self))
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.policy = policy

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return PinnedHTTPConnection(host, policy=self.policy, **kwargs)

        return self.do_open(connection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, policy: Policy, context: ssl.SSLContext | None) -> None:
        super().__init__()
        self.policy = policy
        self.tls = context  # None: each connection's own default context, as http.client's

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            return PinnedHTTPSConnection(host, policy=self.policy, context=self.tls, **kwargs)

        return self.do_open(connection, req)


def opener(
    policy: Policy,
    redirects: urllib.request.HTTPRedirectHandler,
    *,
    context: ssl.SSLContext | None = None,
) -> urllib.request.OpenerDirector:
    """An opener for http and https only, each connection pinned by ``policy``; ``redirects``
    decides which redirects are followed; ``context`` replaces the default TLS context (a
    test's own trust)."""
    director = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        _PinnedHTTPHandler(policy),
        _PinnedHTTPSHandler(policy, context),
        urllib.request.HTTPDefaultErrorHandler(),
        redirects,
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    return director
