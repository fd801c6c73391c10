"""A loaded definition with every rule compiled once, ready to evaluate per request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .diagnostics import Diagnostic
from .logic import CompiledRule
from .model import Choice, Definition, Note, Page, Question, RepeatQuestion


@dataclass(frozen=True)
class CompiledNote:
    note: Note
    show_if: CompiledRule | None


@dataclass(frozen=True)
class CompiledChoice:
    choice: Choice
    show_if: CompiledRule | None


@dataclass(frozen=True)
class CompiledConstraint:
    rule: CompiledRule
    message: str


@dataclass(frozen=True)
class CompiledQuestion:
    question: Question
    show_if: CompiledRule | None
    required_if: CompiledRule | None
    constraints: tuple[CompiledConstraint, ...]
    notes: tuple[CompiledNote, ...]
    choices: tuple[CompiledChoice, ...]
    #: The sub-questions of a repeating group, in order; empty for other types.
    items: tuple[CompiledQuestion, ...] = ()
    #: The starting value (``default``), evaluated while the question is unanswered.
    default: CompiledRule | None = None
    #: A group's number of records, from an earlier answer (``count``), see :mod:`.counted`.
    count: CompiledRule | None = None
    #: A group's values worked out per record (``computed``), in order.
    record_computed: tuple[CompiledComputed, ...] = ()
    #: The question's ``choice_filter``, weighed per option (see :mod:`.choice_filter`).
    choice_filter: CompiledRule | None = None

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def is_repeat(self) -> bool:
        return isinstance(self.question, RepeatQuestion)


@dataclass(frozen=True)
class CompiledEdge:
    to: str
    condition: CompiledRule | None


@dataclass(frozen=True)
class CompiledPage:
    page: Page
    questions: tuple[CompiledQuestion, ...]
    notes: tuple[CompiledNote, ...]
    edges: tuple[CompiledEdge, ...]
    #: The page's own condition: when it does not hold, the page is skipped.
    show_if: CompiledRule | None = None

    @property
    def id(self) -> str:
        return self.page.id


@dataclass(frozen=True)
class CompiledComputed:
    id: str
    rule: CompiledRule
    #: Every question id the value depends on, directly or through other computed values.
    depends_on: frozenset[str]


@dataclass(frozen=True)
class Questionnaire:
    """One version of a definition, analysed and compiled once when it loads."""

    definition: Definition
    pages: Mapping[str, CompiledPage]
    computed: tuple[CompiledComputed, ...]
    source_name: str
    source_text: str
    sha256: str
    warnings: tuple[Diagnostic, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> str:
        return self.definition.version

    @property
    def start(self) -> str:
        return self.definition.start_page

    @cached_property
    def questions(self) -> Mapping[str, CompiledQuestion]:
        """Top-level questions by id, in document order."""
        return {q.id: q for page in self.pages.values() for q in page.questions}

    @cached_property
    def models(self) -> Mapping[str, Question]:
        """Top-level question models by id (for piping and display)."""
        return {key: q.question for key, q in self.questions.items()}

    @cached_property
    def page_of(self) -> Mapping[str, str]:
        """The page each top-level question is on."""
        return {q.id: page.id for page in self.pages.values() for q in page.questions}

    @cached_property
    def dependents(self) -> Mapping[str, tuple[CompiledComputed, ...]]:
        """For each question, the computed values that depend on it, in definition order."""
        found: dict[str, list[CompiledComputed]] = {}
        for computed in self.computed:
            for question in computed.depends_on:
                found.setdefault(question, []).append(computed)
        return {key: tuple(values) for key, values in found.items()}
