"""What the authors' preview keeps between requests: the definition as last read, and answers.

The preview serves one author on their own machine, so the answers live in this process's
memory (no database, no sign-in). The definition file is read again whenever its modification
time or size changes, so an author's saved edit shows on the next request; a file that does not
load keeps its diagnostics instead, and the answers wait for it to be fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock

from questionnaire.engine import DefinitionError, Diagnostic, FlowResult, PageState, evaluate
from questionnaire.engine.compiled import Questionnaire
from questionnaire.engine.given import starting_records
from questionnaire.engine.loader import load_file
from questionnaire.engine.prefill import starting_answers
from questionnaire.engine.types import JSON


@dataclass
class Draft:
    """The author's answers, stored as the app stores a response's (parsed, pruned of nothing)."""

    answers: dict[str, JSON] = field(default_factory=dict)
    #: Counts saves, as a response's version does: the page's hidden input carries it.
    version: int = 1


@dataclass(frozen=True)
class PreviewPage:
    """A page as the flow shows it for the draft's answers: what the customer page renders."""

    q: Questionnaire
    response: Draft
    flow: FlowResult
    page_id: str

    @property
    def state(self) -> PageState:
        return self.flow.pages[self.page_id]

    @property
    def previous(self) -> str | None:
        return self.flow.previous_page(self.page_id)

    @property
    def number(self) -> int:
        return self.flow.path.index(self.page_id) + 1


@dataclass(frozen=True)
class Broken:
    """The definition file as it stands does not load: every problem, located."""

    diagnostics: tuple[Diagnostic, ...]


class Preview:
    """One definition file, reloaded when it changes, and one draft of answers to it."""

    def __init__(
        self,
        path: Path,
        facts: Mapping[str, JSON] | None = None,
        records: Mapping[str, JSON] | None = None,
    ) -> None:
        self.path = path
        self.facts = dict(facts or {})
        self.records = dict(records or {})
        self.draft = Draft()
        self._lock = Lock()
        self._stamp: tuple[int, int] | None = None
        self._loaded: Questionnaire | Broken = Broken(())
        self._started = False

    def current(self) -> Questionnaire | Broken:
        """The definition as the file now reads (read again only when the file changed)."""
        with self._lock:
            stamp = self.stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._loaded = self._read()
            if isinstance(self._loaded, Questionnaire) and not self._started:
                self._started = True  # the first definition that loads gives the facts' answers
                given = starting_records(self._loaded, self.records)
                self.draft.answers = {**starting_answers(self._loaded, self.facts), **given}
            return self._loaded

    def stamp(self) -> tuple[int, int]:
        """The file's modification time and size (an unreadable file: none), with those of the
        CSV files beside it, which its choice lists may read."""
        try:
            status = self.path.stat()
            beside = [p.stat() for p in self.path.parent.glob("*.csv")]
        except OSError:
            return (0, -1)
        mtime = status.st_mtime_ns + sum(s.st_mtime_ns for s in beside)
        return (mtime, status.st_size + sum(s.st_size for s in beside))

    def _read(self) -> Questionnaire | Broken:
        try:
            return load_file(self.path)
        except DefinitionError as exc:
            return Broken(tuple(exc.diagnostics))

    def flow(self, q: Questionnaire) -> FlowResult:
        return evaluate(q, self.draft.answers)

    def save(self, answers: Mapping[str, JSON]) -> None:
        with self._lock:
            self.draft.answers = dict(answers)
            self.draft.version += 1

    def start_again(self) -> None:
        """Forget the answers: the next page read starts from the facts again."""
        with self._lock:
            self.draft = Draft(version=self.draft.version + 1)
            self._started = False
