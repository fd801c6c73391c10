"""Diagnostics: what the loader and the linter tell an author, located by file, line and column."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a definition: ``file:line:col: severity: message``.

    ``where`` names the place in the document (for example ``pages[3].questions[0].show_if``) so an
    author can find it even when the editor shows no line numbers.
    """

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR
    where: str = ""

    def format(self) -> str:
        suffix = f" (at {self.where})" if self.where else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}{suffix}"


class DefinitionError(Exception):
    """A definition could not be loaded; ``diagnostics`` holds every problem found at once."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a candidate is close to ``word``, else an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
