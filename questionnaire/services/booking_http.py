"""Fetching a calendar feed over HTTP for the worker, with the limits an outside address needs.

- http and https only; a redirect is followed (three at most) only to another http or https
  address that passes the same checks, never to ``file:`` or anything else;
- the host's addresses must all be public: loopback, private, link-local and reserved ones are
  refused, so a feed address cannot make the worker read the internal network. Each
  connection, the first and each redirect's, resolves its name once, checks every address and
  connects to exactly those (:mod:`.pinned_http`), so a name that answers a public address for
  the check and an internal one afterwards (DNS rebinding) is not reached; the ``Host`` header
  and, for https, the certificate's verification are still the name's;
- a timeout for connecting and each read, and one for the whole body;
- a body larger than the limit is refused from its ``Content-Length``, or once that much has
  been read, never read whole first.

Every failure is a :class:`FetchError` whose message the engineer can act on.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from email.message import Message
from http.client import HTTPMessage
from typing import IO, Any

from . import pinned_http
from .booking_settings import BookingSettings
from .pinned_http import FetchError as FetchError
from .pinned_http import check_public as check_public

USER_AGENT = "Loadbalancer.org questionnaire (calendar feed reader)"
CHUNK = 64 * 1024
MAX_REDIRECTS = 3
NAMED = "The calendar's address"
PRIVATE_HINT = "use the address your calendar gives for sharing or subscribing from outside"


def fetch(url: str, settings: BookingSettings) -> bytes:
    """The feed's bytes, or :class:`FetchError`."""
    pinned_http.check_scheme(url, NAMED)
    policy = pinned_http.Policy(allow_private=settings.feed_private_addresses, named=NAMED,
                                private_hint=PRIVATE_HINT)  # fmt: skip
    opener = pinned_http.opener(policy, _CheckedRedirects())
    # The scheme was checked above (http or https), and every redirect's is checked again; each
    # connection checks the addresses it connects to (a refusal is a FetchError, passed on).
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
    """Refuse a URL that is not http(s), or whose host has an address that is not public (a
    check ahead: :func:`fetch` checks what each of its connections connects to)."""
    check_public(url, allow_private=settings.feed_private_addresses, named=NAMED,
                 private_hint=PRIVATE_HINT)  # fmt: skip


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects only to http and https; the new request's connection checks its addresses
    (and connects to those) as the first one's did."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
        headers: HTTPMessage, newurl: str,
    ) -> Any:  # fmt: skip
        pinned_http.check_scheme(newurl, NAMED)
        return super().redirect_request(req, fp, code, msg, headers, newurl)
