"""Every place in a definition where an author wrote a rule or a piped text, with its context.

The checker and the compiler both walk a definition through :func:`rule_sites` and
:func:`text_sites`, so they always agree on where rules are and what each may refer to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .model import Definition, Question, RepeatQuestion
from .source import Path


class Scope(Enum):
    """What a rule may refer to, besides earlier answers."""

    QUESTION = "question"  # show_if, required_if, notes, choices: earlier questions only
    CONSTRAINT = "constraint"  # as QUESTION, plus `value`, the answer being checked
    PAGE = "page"  # edges and page notes: anything on the page, which is answered by then
    COMPUTED = "computed"  # any question; computed values defined earlier


@dataclass(frozen=True)
class Site:
    path: Path
    scope: Scope
    page: str | None = None
    #: Index of the question on its page the rule belongs to (questions before it may be read).
    position: int = 0
    #: The repeating group the rule is inside, and the index of the sub-question in it.
    group: RepeatQuestion | None = None
    item_position: int = 0


def rule_sites(definition: Definition) -> Iterator[tuple[Site, Any]]:
    """Each non-empty rule in ``definition`` with its site."""
    for index, computed in enumerate(definition.computed):
        yield Site(("computed", index, "logic"), Scope.COMPUTED), computed.logic
    for p, page in enumerate(definition.pages):
        base: Path = ("pages", p)
        end = len(page.questions)
        if page.show_if is not None:
            # Decided before the page is shown: it may read only what earlier pages asked.
            yield Site((*base, "show_if"), Scope.QUESTION, page.id, 0), page.show_if
        for n, note in enumerate(page.notes):
            if note.show_if is not None:
                yield Site((*base, "notes", n, "show_if"), Scope.PAGE, page.id, end), note.show_if
        for e, edge in enumerate(page.next):
            if edge.if_ is not None:
                yield Site((*base, "next", e, "if"), Scope.PAGE, page.id, end), edge.if_
        for q, question in enumerate(page.questions):
            site = Site((*base, "questions", q), Scope.QUESTION, page.id, q)
            yield from _question_rules(question, site)
            yield from _record_computed(question, site)
            if isinstance(question, RepeatQuestion):
                for i, item in enumerate(question.questions):
                    inner = Site(
                        (*site.path, "questions", i), Scope.QUESTION, page.id, q, question, i
                    )
                    yield from _question_rules(item, inner)
                    if isinstance(item, RepeatQuestion):  # nested: `item` is its record
                        for j, field in enumerate(item.questions):
                            deeper = Site(
                                (*inner.path, "questions", j), Scope.QUESTION, page.id, q, item, j
                            )
                            yield from _question_rules(field, deeper)


def _record_computed(question: Question, site: Site) -> Iterator[tuple[Site, Any]]:
    """A group's computed fields: each may read the record's questions and the computed
    fields before it (its position counts on from the questions')."""
    if not isinstance(question, RepeatQuestion):
        return
    first = len(question.questions)
    for k, computed in enumerate(question.computed):
        path = (*site.path, "computed", k, "logic")
        yield (
            Site(path, Scope.QUESTION, site.page, site.position, question, first + k),
            computed.logic,
        )


def _question_rules(question: Question, site: Site) -> Iterator[tuple[Site, Any]]:
    def at(*parts: str | int, scope: Scope = Scope.QUESTION) -> Site:
        return Site(
            (*site.path, *parts), scope, site.page, site.position, site.group, site.item_position
        )

    if question.show_if is not None:
        yield at("show_if"), question.show_if
    if question.default is not None:
        yield at("default"), question.default
    if question.required_if is not None:
        yield at("required_if"), question.required_if
    count = getattr(question, "count", None)
    if count is not None:
        yield at("count"), count
    for c, constraint in enumerate(question.constraints):
        yield at("constraints", c, "rule", scope=Scope.CONSTRAINT), constraint.rule
    for n, note in enumerate(question.notes):
        if note.show_if is not None:
            # A note under a question may speak of the answer just given.
            yield at("notes", n, "show_if", scope=Scope.CONSTRAINT), note.show_if
    for c, choice in enumerate(getattr(question, "choices", ())):
        if choice.show_if is not None:
            yield at("choices", c, "show_if"), choice.show_if
    if getattr(question, "choice_filter", None) is not None:
        # Weighed per option: `option.<key>` reads the option (checked in check_choice_filter).
        yield at("choice_filter"), question.choice_filter  # type: ignore[union-attr]


#: `{question_id}` or `{item.field}` in a label quotes an answer; `{{` and `}}` are literal braces.
PIPE = re.compile(r"(?<!\{)\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}(?!\})")


def text_sites(definition: Definition) -> Iterator[tuple[Site, str]]:
    """Each author-written text that may quote answers, with its site."""
    for p, page in enumerate(definition.pages):
        base: Path = ("pages", p)
        end = len(page.questions)
        for key in ("title", "intro"):
            if text := getattr(page, key):
                yield Site((*base, key), Scope.QUESTION, page.id, 0), text
        for n, note in enumerate(page.notes):
            yield Site((*base, "notes", n, "text"), Scope.PAGE, page.id, end), note.text
        for q, question in enumerate(page.questions):
            site = Site((*base, "questions", q), Scope.QUESTION, page.id, q)
            yield from _question_texts(question, site)
            if isinstance(question, RepeatQuestion):
                for i, item in enumerate(question.questions):
                    inner = Site(
                        (*site.path, "questions", i), Scope.QUESTION, page.id, q, question, i
                    )
                    yield from _question_texts(item, inner)
                    if isinstance(item, RepeatQuestion):  # nested: `item` is its record
                        for j, field in enumerate(item.questions):
                            deeper = Site(
                                (*inner.path, "questions", j), Scope.QUESTION, page.id, q, item, j
                            )
                            yield from _question_texts(field, deeper)


def _question_texts(question: Question, site: Site) -> Iterator[tuple[Site, str]]:
    for key in ("label", "hint", "help"):
        if text := getattr(question, key):
            yield (
                Site(
                    (*site.path, key),
                    site.scope,
                    site.page,
                    site.position,
                    site.group,
                    site.item_position,
                ),
                text,
            )
    messages: list[tuple[Path, str]] = [
        (("constraints", c, "message"), c_.message) for c, c_ in enumerate(question.constraints)
    ]
    if pattern := getattr(question, "pattern", None):
        messages.append((("pattern", "message"), pattern.message))
    for where, message in messages:
        yield (
            Site(
                (*site.path, *where),
                Scope.CONSTRAINT,
                site.page,
                site.position,
                site.group,
                site.item_position,
            ),
            message,
        )
    for n, note in enumerate(question.notes):
        path = (*site.path, "notes", n, "text")
        yield (
            Site(path, Scope.CONSTRAINT, site.page, site.position, site.group, site.item_position),
            note.text,
        )


def piped_names(text: str) -> list[str]:
    return PIPE.findall(text)
