"""The definitions the app serves: loaded once per worker, compiled once per version.

A broken definition is logged and skipped; the others are served. Responses are pinned to the
exact text they started on, so an old version is compiled from its stored text when needed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine import Questionnaire, Severity, load_all, load_text
from questionnaire.store.models import DefinitionVersion

log = logging.getLogger(__name__)

#: Older versions kept compiled in memory per worker.
CACHE_SIZE = 32


class DefinitionRegistry:
    """The definitions in a folder (``current``) and any older version a response is pinned to."""

    def __init__(self, folder: Path) -> None:
        report = load_all([folder]) if folder.is_dir() else None
        self.current: dict[str, Questionnaire] = dict(report.loaded) if report else {}
        for diagnostic in report.diagnostics if report else []:
            level = logging.ERROR if diagnostic.severity is Severity.ERROR else logging.WARNING
            log.log(level, "definition problem: %s", diagnostic.format())
        self._by_hash: OrderedDict[str, Questionnaire] = OrderedDict()
        self._lock = Lock()
        for questionnaire in self.current.values():
            self._by_hash[questionnaire.sha256] = questionnaire

    def pinned(self, db: Session, questionnaire: Questionnaire) -> DefinitionVersion:
        """The stored row for ``questionnaire``'s exact text, created on first use."""
        row = db.get(DefinitionVersion, questionnaire.sha256)
        if row is None:
            row = DefinitionVersion(
                sha256=questionnaire.sha256,
                definition_id=questionnaire.id,
                version=questionnaire.version,
                source_name=questionnaire.source_name,
                source_text=questionnaire.source_text,
            )
            db.add(row)
            db.flush()
        return row

    def by_hash(self, db: Session, sha256: str) -> Questionnaire:
        """The compiled version with this hash, compiled from its stored text if not current."""
        with self._lock:
            found = self._by_hash.get(sha256)
            if found is not None:
                self._by_hash.move_to_end(sha256)
                return found
        row = db.execute(
            select(DefinitionVersion).where(DefinitionVersion.sha256 == sha256)
        ).scalar_one()
        questionnaire = load_text(row.source_text, row.source_name)
        with self._lock:
            self._by_hash[sha256] = questionnaire
            while len(self._by_hash) > CACHE_SIZE + len(self.current):
                self._by_hash.popitem(last=False)
        return questionnaire
