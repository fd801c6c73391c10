"""The URLs of a customer's pages, built from the link's own address once per request.

``url_for`` costs microseconds a call, and a review page has a Change link per answer. Every
customer URL is the link's base (``url_for("customer.start")``: the script root and the token)
followed by identifiers of pages, groups and questions, which the definition schema limits to
lower-case letters, digits and underscores; they are quoted anyway, so that nothing could ever
leave its path segment. ``tests/web/test_customer_urls.py`` checks they equal ``url_for``'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from flask import g, url_for

#: What needs no quoting in a path segment or fragment (every identifier): quote() costs more
#: than the rest of a review page's row.
_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")


def _segment(value: object) -> str:
    text = str(value)
    return text if _PLAIN.fullmatch(text) else quote(text, safe="")


@dataclass(frozen=True)
class CustomerUrls:
    base: str  # the start page's URL: ``/r/<token>/``

    def page(self, page_id: str, anchor: str | None = None) -> str:
        url = f"{self.base}p/{_segment(page_id)}"
        return f"{url}#{_segment(anchor)}" if anchor else url

    def preview(self, page_id: str) -> str:
        return f"{self.page(page_id)}/preview"

    def records(self, page_id: str, group: str) -> RecordUrls:
        return RecordUrls(f"{self.page(page_id)}/{_segment(group)}/")

    @property
    def start(self) -> str:
        return self.base

    @property
    def begin(self) -> str:
        return f"{self.base}start"

    @property
    def resume(self) -> str:
        return f"{self.base}resume"

    @property
    def review(self) -> str:
        return f"{self.base}review"

    @property
    def submit(self) -> str:
        return f"{self.base}submit"


@dataclass(frozen=True)
class RecordUrls:
    """The links to a repeating group's records on one page."""

    base: str  # ``/r/<token>/p/<page>/<group>/``

    @property
    def new(self) -> str:
        return f"{self.base}new"

    def change(self, index: int) -> str:
        return f"{self.base}{index}"

    def remove(self, index: int) -> str:
        return f"{self.base}{index}/remove"


def customer_urls() -> CustomerUrls:
    """The current link's URLs (in a customer request), made once per request."""
    urls: CustomerUrls | None = g.get("customer_urls")
    if urls is None:
        urls = g.customer_urls = CustomerUrls(url_for("customer.start"))
    return urls
