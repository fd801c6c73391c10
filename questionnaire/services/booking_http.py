"""Fetching a calendar feed over HTTP for the worker, with the limits an outside address needs.

- http and https only; a redirect is followed (three at most) only to another http or https
  address that passes the same checks, never to ``file:`` or anything else;
- the host's addresses must all be public: loopback, private, link-local and reserved ones are
  refused, so a feed address cannot make the worker read the internal network (the check is
  made on the name's addresses before connecting; a name that changes its answer between the
  check and the connection is not caught, which a DNS-pinning proxy would be needed for);
- a timeout for connecting and each read, and one for the whole body;
- a body larger than the limit is refused from its ``Content-Length``, or once that much has
  been read, never read whole first.

Every failure is a :class:`FetchError` whose message the engineer can act on.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from email.message import Message
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

from .booking_settings import BookingSettings

USER_AGENT = "Loadbalancer.org questionnaire (calendar feed reader)"
CHUNK = 64 * 1024
MAX_REDIRECTS = 3


class FetchError(Exception):
    """The feed could not be fetched; the message says why, for the engineer."""


def fetch(url: str, settings: BookingSettings) -> bytes:
    """The feed's bytes, or :class:`FetchError`."""
    check_address(url, settings)
    opener = urllib.request.build_opener(_CheckedRedirects(settings))
    # The scheme was checked above (http or https), and every redirect is checked again.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    )
    try:
        with opener.open(request, timeout=settings.feed_timeout) as response:
            return _read(response, settings)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"The calendar's address answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"The calendar's address could not be reached: {exc.reason}") from exc
    except (OSError, ValueError) as exc:  # timeouts, resets, a malformed answer
        raise FetchError(f"The calendar's address could not be read: {exc}") from exc


def _read(response: IO[bytes], settings: BookingSettings) -> bytes:
    limit = settings.feed_max_bytes
    headers: Message = getattr(response, "headers", Message())
    declared = headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(_too_large(limit))
    deadline = time.monotonic() + settings.feed_timeout * 3
    chunks, size = [], 0
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(_too_large(limit))
        if time.monotonic() > deadline:
            raise FetchError("The calendar's address sends its feed too slowly")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return f"The feed is larger than {limit / 1_000_000:g} MB"


def check_address(url: str, settings: BookingSettings) -> None:
    """Refuse a URL that is not http(s), or whose host has an address that is not public."""
    check_public(
        url, allow_private=settings.feed_private_addresses, named="The calendar's address",
        private_hint="use the address your calendar gives for sharing or subscribing from outside",
    )  # fmt: skip


def check_public(url: str, *, allow_private: bool, named: str, private_hint: str) -> None:
    """Refuse a URL that is not http(s), or (unless ``allow_private``) whose host has an
    address that is not public: the calendar feeds' check, and the completion webhook's.
    Messages start with ``named`` ("The calendar's address")."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{named} must start with https:// or http://")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise FetchError(f"{named} could not be found: {exc}") from exc
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if not ip.is_global:
            raise FetchError(f"{named} is on a private network: {private_hint}")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects only to addresses the first one would have been allowed to be."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, settings: BookingSettings) -> None:
        super().__init__()
        self.settings = settings

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
        headers: HTTPMessage, newurl: str,
    ) -> Any:  # fmt: skip
        check_address(newurl, self.settings)
        return super().redirect_request(req, fp, code, msg, headers, newurl)
