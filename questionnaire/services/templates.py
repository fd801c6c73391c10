"""The SoW template library the app renders drafts with, or why it could not be loaded.

A broken template folder must not stop customers answering: the library is loaded once, and a
problem is kept and reported whenever a draft is asked for (``questionnaire lint`` says more).
"""

from __future__ import annotations

import logging
from pathlib import Path

from questionnaire.engine import DefinitionError
from sow_prefill.templates import Library, load_library

log = logging.getLogger(__name__)


class TemplatesUnavailable(Exception):
    """The SoW templates could not be loaded or rendered."""


class TemplateShelf:
    def __init__(self, library: Library | None, problem: str | None = None) -> None:
        self._library = library
        self.problem = problem

    @classmethod
    def load(cls, folder: Path) -> TemplateShelf:
        try:
            return cls(load_library(folder))
        except DefinitionError as exc:
            first = exc.diagnostics[0].format() if exc.diagnostics else str(exc)
            log.error("SoW templates in %s could not be loaded: %s", folder, first)
            return cls(None, f"the SoW templates could not be loaded ({first})")
        except Exception as exc:  # any other failure: keep serving customers, say why
            log.exception("SoW templates in %s could not be loaded", folder)
            return cls(None, f"the SoW templates could not be loaded ({exc})")

    def library(self) -> Library:
        if self._library is None:
            raise TemplatesUnavailable(self.problem or "the SoW templates are not loaded")
        return self._library
