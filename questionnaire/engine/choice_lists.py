"""Named choice lists: options defined once under ``choice_lists`` and reused by name.

``choices: countries`` in a question stands for the options listed under ``choice_lists:
{countries: [...]}``. The name is resolved before the schema sees the question, so everything
downstream (the flow, lint, the web form, the SoW) sees ordinary options; diagnostics about an
option are located at the list, where the author wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import builtin_lists
from .diagnostics import Diagnostic, Severity
from .source import Path, Source

KEY = "choice_lists"


def resolve(document: Any) -> Any:
    """``document`` (a raw definition) with each ``choices: name`` replaced by that list.

    Unknown names are left as they are, for the schema to refuse with a located message. The
    engine's own lists (``time_zones``, see :mod:`.builtin_lists`) are known too.
    """
    if not isinstance(document, dict):
        return document
    own = document.get(KEY)
    lists = {**builtin_lists.built_in(), **(own if isinstance(own, dict) else {})}
    resolved = dict(document)
    pages = document.get("pages")
    if isinstance(pages, list):
        resolved["pages"] = [_page(page, lists) for page in pages]
    return resolved


def _page(page: Any, lists: dict[str, Any]) -> Any:
    if not isinstance(page, dict) or not isinstance(page.get("questions"), list):
        return page
    return {**page, "questions": [_question(q, lists) for q in page["questions"]]}


def _question(question: Any, lists: dict[str, Any]) -> Any:
    if not isinstance(question, dict):
        return question
    choices = question.get("choices")
    if isinstance(choices, str) and choices in lists:
        question = {**question, "choices": lists[choices]}
    if isinstance(question.get("questions"), list):  # a repeating group's fields
        question = {**question, "questions": [_question(q, lists) for q in question["questions"]]}
    return question


def uses(document: Any) -> Iterator[tuple[Path, str]]:
    """Each ``(path of a question's choices, list name)`` in a raw definition."""
    pages = document.get("pages") if isinstance(document, dict) else None
    for p, page in enumerate(pages if isinstance(pages, list) else []):
        questions = page.get("questions") if isinstance(page, dict) else None
        for q, question in enumerate(questions if isinstance(questions, list) else []):
            yield from _uses(question, ("pages", p, "questions", q))


def _uses(question: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if not isinstance(question, dict):
        return
    if isinstance(question.get("choices"), str):
        yield (*path, "choices"), question["choices"]
    fields = question.get("questions")
    for i, field in enumerate(fields if isinstance(fields, list) else []):
        yield from _uses(field, (*path, "questions", i))


def locate_at_lists(source: Source) -> None:
    """Give each use's options the positions of the list they came from, so that a
    diagnostic about ``pages[0].questions[2].choices[1]`` points where that option is written."""
    for use, name in uses(source.value):
        prefix = (KEY, name)
        for path, position in list(source.positions.items()):
            if path[: len(prefix)] == prefix and len(path) > len(prefix):
                source.positions.setdefault((*use, *path[len(prefix) :]), position)


def check_unused(source: Source) -> Iterator[Diagnostic]:
    """A list no question names is probably a misspelt use (a warning)."""
    lists = source.value.get(KEY) if isinstance(source.value, dict) else None
    used = {name for _, name in uses(source.value)}
    for name in lists if isinstance(lists, dict) else {}:
        if name not in used:
            yield source.diagnostic(
                (KEY, name),
                f"choice list '{name}' is not used by any question",
                severity=Severity.WARNING,
            )
