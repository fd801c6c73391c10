"""Lint of ``choice_filter``: the option keys it reads, and what it may not read.

The general rule checker (:mod:`.check_rules`) checks the filter's answers like any condition's
(unknown names, answers asked later); this module checks what is particular to a filter:
``option.<key>`` must be a key the options carry, the filter may not read the question's own
answer, and an answer on the same page cannot drive the list (it is worked out when the page is
shown, before that answer is posted).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import option_keys
from .choice_filter import OPTION
from .diagnostics import Diagnostic, Severity, did_you_mean
from .logic import check_rule, pointer_path, variables_read
from .model import Definition, Question
from .sites import Site
from .source import Path, Source


def is_filter_own(head: str, site: Site, places: Mapping[str, Any]) -> bool:
    """Whether ``head``, read in a filter at ``site``, is the option or the filtered question
    itself (both reported here, not by the general checker)."""
    if head == OPTION:
        return True
    place = places.get(head)
    return (
        site.group is None
        and place is not None
        and (place.page, place.position) == (site.page, site.position)
    )


def _questions(
    questions: tuple[Question, ...], path: Path, page: str
) -> Iterator[tuple[Question, Path, str]]:
    for n, question in enumerate(questions):
        at = (*path, "questions", n)
        yield question, at, page
        yield from _questions(getattr(question, "questions", ()), at, page)


def check_choice_filters(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    page_of = {q.id: page.id for page in definition.pages for q in page.questions}
    for p, page in enumerate(definition.pages):
        for question, path, page_id in _questions(page.questions, ("pages", p), page.id):
            yield from _option_key_typos(question, path, source)
            rule = getattr(question, "choice_filter", None)
            if rule is None or check_rule(rule):
                continue  # invalid rules are reported by the rule checker
            yield from _filter(question, rule, (*path, "choice_filter"), source, page_of, page_id)


def _filter(
    question: Question,
    rule: Any,
    path: Path,
    source: Source,
    page_of: Mapping[str, str],
    page: str,
) -> Iterator[Diagnostic]:
    keys = sorted(
        {*option_keys.STANDARD, *(k for c in question.choices for k in c.model_extra or {})}  # type: ignore[union-attr]
    )
    reads_option = False
    for name, pointer in variables_read(rule):
        at = (*path, *pointer_path(pointer))
        head, _, rest = name.partition(".")
        key = rest.partition(".")[0]
        if head == OPTION:
            reads_option = True
            if key not in keys:
                message = (
                    f"choice filter reads unknown option key '{key}'{did_you_mean(key, keys)} "
                    f"(the options of '{question.id}' carry: {', '.join(keys)})"
                )
                yield source.diagnostic(at, message)
        elif head == question.id or (head == "item" and key == question.id):
            message = (
                f"the choice filter of '{question.id}' reads its own answer: a filter reads "
                "the option and earlier answers"
            )
            yield source.diagnostic(at, message)
        elif page_of.get(head) == page and page_of.get(question.id) == page:
            message = (
                f"the options of '{question.id}' are worked out when page '{page}' is shown, "
                f"before '{head}' on the same page is answered: ask '{head}' on an earlier page"
            )
            yield source.diagnostic(at, message, severity=Severity.WARNING)
    if not reads_option:
        message = (
            f"the choice filter of '{question.id}' never reads the option "
            '({"var": "option.<key>"}): it offers every option or none'
        )
        yield source.diagnostic(path, message, severity=Severity.WARNING)


def _option_key_typos(question: Question, path: Path, source: Source) -> Iterator[Diagnostic]:
    """An own key one slip from a standard one (``hnit``) is probably that key misspelt."""
    for c, choice in enumerate(getattr(question, "choices", ())):
        for key in choice.model_extra or {}:
            hint = did_you_mean(key, option_keys.MODEL_KEYS)
            if hint:
                message = f"option key '{key}' is the option's own data{hint}"
                yield source.diagnostic(
                    (*path, "choices", c, key), message, severity=Severity.WARNING
                )
