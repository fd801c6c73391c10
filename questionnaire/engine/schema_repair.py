"""Stand-ins for the parts of a document the schema refused, so the rule checks still run.

A schema mistake in one question must not hide a broken condition in another: the author
should see every problem of the file in one run. Each question the schema refuses is replaced
by a plain text question with the same id (so references to it still resolve), unknown keys are
left out, and missing titles and labels are filled in. The stand-in document is only checked,
never loaded: the schema's own errors still stop the definition.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from .source import Path

#: What a missing text key is given, so that the rest of its page can be checked.
_FILLERS = {"title": "…", "label": "…", "message": "…", "text": "…"}
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def stand_in(value: Any, errors: Iterable[tuple[Path, str]]) -> Any | None:
    """``value`` with stand-ins for each ``(location, pydantic error type)``, or None when an
    error is outside anything that can be stood in for (the definition's own id, say)."""
    patched = copy.deepcopy(value)
    errors = list(errors)
    locs = [loc for loc, _ in errors]
    for n, (loc, kind) in enumerate(errors):
        # pydantic adds a 'too short' to a list whose only item failed: standing in fixes it.
        if kind == "too_short" and any(o != loc and o[: len(loc)] == loc for o in locs):
            continue
        if not _patch(patched, loc, kind, n):
            return None
    return patched


def _patch(document: Any, loc: Path, kind: str, n: int) -> bool:
    question = _innermost_question(loc)
    if question is not None:
        parent, index = _at(document, question[:-1]), question[-1]
        if not isinstance(parent, list) or not isinstance(index, int):
            return False
        parent[index] = _plain_question(parent[index], n)
        return True
    if kind == "extra_forbidden":
        owner = _at(document, loc[:-1])
        if isinstance(owner, dict):
            owner.pop(loc[-1], None)
            return True
        return False
    if kind == "missing" and loc and loc[-1] in _FILLERS:
        owner = _at(document, loc[:-1])
        if isinstance(owner, dict):
            owner[loc[-1]] = _FILLERS[str(loc[-1])]
            return True
    return False


def _innermost_question(loc: Path) -> Path | None:
    """The path of the innermost question ``loc`` lies in, if any."""
    for cut in range(len(loc) - 1, 0, -1):
        if loc[cut - 1] == "questions" and isinstance(loc[cut], int):
            return loc[: cut + 1]
    return None


def _at(document: Any, path: Path) -> Any:
    for part in path:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _plain_question(original: Any, n: int) -> dict[str, Any]:
    raw_id = original.get("id") if isinstance(original, dict) else None
    valid = isinstance(raw_id, str) and _IDENTIFIER.match(raw_id) is not None
    return {"id": raw_id if valid else f"refused_question_{n}", "type": "text", "label": "…"}
