"""Turning pydantic's validation errors into located, author-friendly diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError

from . import choice_lists, model
from .diagnostics import Diagnostic, did_you_mean
from .nesting import nesting_too_deep
from .source import Path, Source


@cache
def known_keys() -> frozenset[str]:
    """Every key any part of the format accepts, for 'did you mean' suggestions."""
    keys: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            for name, field in value.model_fields.items():
                keys.add(field.alias or name)
    return frozenset(keys)


def clean_loc(loc: tuple[Any, ...]) -> Path:
    """Drop pydantic's union tags (``questions.0.integer.min`` -> ``questions.0.min``)."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        if i > 0 and isinstance(loc[i - 1], int) and part in model.QUESTION_TYPES:
            continue
        path.append(part)
    return tuple(path)


def _lookup(value: Any, path: Path) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _subject(source: Source, path: Path) -> str:
    """'question 'vip_count': ' for errors inside a question, and so on."""
    for cut in range(len(path), 0, -1):
        if (
            cut >= 2
            and path[cut - 2] in ("questions", "pages", "computed")
            and isinstance(path[cut - 1], int)
        ):
            item = _lookup(source.value, path[:cut])
            what = {"questions": "question", "pages": "page", "computed": "computed value"}[
                str(path[cut - 2])
            ]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return f"{what} '{item['id']}': "
            return f"{what} {path[cut - 1] + 1}: "  # type: ignore[operator]
    return ""


#: Types that exist but cannot go inside a repeating group, with what to write instead.
_NOT_IN_GROUPS = {
    "file": "a repeating group cannot hold file questions: ask for the files outside the group",
}


def _inside_group(path: Path) -> bool:
    """Whether ``path`` names a question inside a repeating group (``questions[i].questions[j]``)."""
    return sum(1 for part in path if part == "questions") >= 2


def _unknown_list(name: str, source: Source) -> str:
    lists = source.value.get(choice_lists.KEY) if isinstance(source.value, dict) else None
    names = list(lists) if isinstance(lists, dict) else []
    if not names:
        return f"'choices' is a list of options, or the name of a list under choice_lists (there is no '{name}')"
    return f"unknown choice list '{name}'{did_you_mean(name, names)} (lists: {', '.join(names)})"


def _message(error: Any, source: Source, path: Path) -> tuple[Path, str]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        if tag == "repeat" and (nested := nesting_too_deep(source.value, path)):
            return (*path, "type"), nested
        if tag in _NOT_IN_GROUPS and _inside_group(path):
            return (*path, "type"), _NOT_IN_GROUPS[tag]
        return (*path, "type"), f"unknown type '{tag}'{did_you_mean(tag, model.QUESTION_TYPES)}"
    if kind == "union_tag_not_found":
        return path, f"missing 'type' (one of: {', '.join(model.QUESTION_TYPES)})"
    if kind == "extra_forbidden":
        key = str(path[-1])
        return path, f"unknown key '{key}'{did_you_mean(key, known_keys())}"
    if kind == "missing":
        return path[:-1], f"missing required key '{path[-1]}'"
    if path and path[-1] == "choices" and isinstance(error.get("input"), str):
        return path, _unknown_list(str(error["input"]), source)
    field = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
    prefix = f"'{field}': " if field else ""
    return path, f"{prefix}{error['msg']}"


def translate_validation_error(exc: ValidationError, source: Source) -> Iterator[Diagnostic]:
    errors = exc.errors()
    locs = [clean_loc(e["loc"]) for e in errors]
    for error, path in zip(errors, locs, strict=True):
        # pydantic adds a 'too short' for a sequence whose only item failed: not the author's problem.
        if error["type"] == "too_short" and any(o != path and o[: len(path)] == path for o in locs):
            continue
        where, message = _message(error, source, path)
        yield source.diagnostic(where, _subject(source, path) + message)
