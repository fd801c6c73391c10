"""What the flow computes for a set of answers: plain, immutable values for views and tools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .model import REVIEW, Choice, Question
from .types import JSON


@dataclass(frozen=True)
class Dropped:
    """An answer left out of the pruned answers, and why (for the engineer and the pre-filler)."""

    question: str
    value: JSON
    reason: str

    def as_json(self) -> dict[str, JSON]:
        return {"question": self.question, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class ShownNote:
    text: str
    kind: str


@dataclass(frozen=True)
class ShownQuestion:
    """A visible question as the respondent sees it: piped texts, offered options, its answer."""

    id: str
    question: Question
    label: str
    hint: str | None
    help: str | None
    required: bool
    value: JSON
    choices: tuple[Choice, ...] = ()
    notes: tuple[ShownNote, ...] = ()
    #: For a repeating group: each record's visible fields.
    records: tuple[tuple[ShownQuestion, ...], ...] = ()
    #: For a group whose records are given (``records_from``): each record's summary line,
    #: built from its given fields, shown read-only.
    headings: tuple[str, ...] = ()
    #: While unanswered, the starting value the form shows (the question's ``default``).
    default: JSON = None
    #: For a group whose records are counted (``count``): the typed records beyond the count,
    #: by their stored index, flagged for removal (see :mod:`.counted`).
    surplus: tuple[tuple[int, Mapping[str, JSON]], ...] = ()

    @property
    def type(self) -> str:
        return self.question.type


@dataclass(frozen=True)
class PageState:
    id: str
    title: str
    intro: str | None
    notes: tuple[ShownNote, ...]
    questions: tuple[ShownQuestion, ...]
    #: Required answers still missing, by field (``vip_count``, ``services[1].port``).
    missing: tuple[str, ...]
    #: Stored answers that break a constraint, by field, with the author's message.
    problems: Mapping[str, str]
    next: str

    @property
    def complete(self) -> bool:
        return not self.missing and not self.problems


@dataclass(frozen=True)
class FlowResult:
    """The respondent's way through a definition for one set of answers."""

    path: tuple[str, ...]
    pages: Mapping[str, PageState]
    answers: Mapping[str, JSON]
    computed: Mapping[str, JSON]
    dropped: tuple[Dropped, ...] = field(default=())
    #: Pages the walk passed over because their ``show_if`` did not hold, in order.
    skipped: tuple[str, ...] = ()
    #: The respondent's date the walk read (``today``); None for a flow built by hand.
    today: date | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(m for page in self.path for m in self.pages[page].missing)

    @property
    def complete(self) -> bool:
        """Every page on the path answered: the response can be submitted."""
        return all(self.pages[page].complete for page in self.path)

    @property
    def progress(self) -> float:
        """The share of pages on the current path that are complete, from 0 to 1."""
        if not self.path:
            return 1.0
        return sum(self.pages[p].complete for p in self.path) / len(self.path)

    @property
    def resume_page(self) -> str:
        """Where the respondent should carry on: the first incomplete page, else the review."""
        return next((p for p in self.path if not self.pages[p].complete), REVIEW)

    def next_page(self, page: str) -> str:
        return self.pages[page].next

    def previous_page(self, page: str) -> str | None:
        if page == REVIEW:
            return self.path[-1] if self.path else None
        index = self.path.index(page) if page in self.path else 0
        return self.path[index - 1] if index > 0 else None

    def as_json(self) -> dict[str, JSON]:
        """The summary ``questionnaire simulate`` prints."""
        return {
            "path": list(self.path),
            "skipped": list(self.skipped),
            "complete": self.complete,
            "progress": round(self.progress, 3),
            "visible": {p: [q.id for q in self.pages[p].questions] for p in self.path},
            "missing": list(self.missing),
            "defaults": {
                q.id: q.default
                for p in self.path
                for q in self.pages[p].questions
                if q.default is not None
            },
            "problems": {k: v for p in self.path for k, v in self.pages[p].problems.items()},
            "computed": dict(self.computed),
            "answers": dict(self.answers),
            "dropped": [d.as_json() for d in self.dropped],
        }
