"""Filters the templates use, and what the customer's fields share with them. Autoescaping
stays on: every answer is text."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from flask import Flask, has_request_context, request, url_for

from questionnaire.engine.answers import display
from questionnaire.engine.model import Question

ACCEPT = {
    "pdf": ".pdf", "png": ".png", "jpeg": ".jpg,.jpeg", "gif": ".gif", "docx": ".docx",
    "xlsx": ".xlsx", "pptx": ".pptx", "vsdx": ".vsdx", "txt": ".txt", "csv": ".csv", "zip": ".zip",
    "targz": ".gz,.tgz",
}  # fmt: skip


def display_answer(question: Question, value: Any) -> str:
    return display(question, value)


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@cache
def time_zones() -> list[str]:
    return sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )


#: Static files' URLs by (script root, file name): every page links the same few files, and a
#: ``url_for`` call costs more than the rest of the page's head. Bounded, since the script root
#: comes from the request's environment.
_STATIC_URLS: dict[tuple[str, str], str] = {}
_STATIC_URLS_KEPT = 64


def static_url(filename: str) -> str:
    """``url_for("static", filename=filename)``, made once."""
    if not has_request_context():
        return url_for("static", filename=filename)
    key = (request.script_root, filename)
    url = _STATIC_URLS.get(key)
    if url is None:
        url = url_for("static", filename=filename)
        if len(_STATIC_URLS) < _STATIC_URLS_KEPT:
            _STATIC_URLS[key] = url
    return url


def register(app: Flask) -> None:
    app.jinja_env.filters["display"] = display_answer
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.globals["static_url"] = static_url
