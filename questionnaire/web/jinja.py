"""Filters the templates use, and what the customer's fields share with them. Autoescaping
stays on: every answer is text."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from flask import Flask

from questionnaire.engine.answers import display
from questionnaire.engine.model import Question

ACCEPT = {
    "pdf": ".pdf", "png": ".png", "jpeg": ".jpg,.jpeg", "gif": ".gif", "docx": ".docx",
    "xlsx": ".xlsx", "pptx": ".pptx", "vsdx": ".vsdx", "txt": ".txt", "csv": ".csv", "zip": ".zip",
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


def register(app: Flask) -> None:
    app.jinja_env.filters["display"] = display_answer
    app.jinja_env.filters["filesize"] = filesize
