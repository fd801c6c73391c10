"""Checks of the rules and piped texts in a definition: validity, references and cheap types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .check_addressing import addressed_field, record_address
from .check_choice_filter import is_filter_own
from .check_records import unknown_field
from .check_scopes import ITERATORS, ElementScope, element_scope, unanswered_comparison, var_name
from .check_structure import PageGraph
from .dates import TODAY
from .diagnostics import Diagnostic, Severity, did_you_mean
from .logic import check_rule, pointer_path, pointer_token, variables_read
from .model import Definition, Question, RepeatQuestion
from .nesting import listable_groups
from .record_computed import order_problem
from .sites import Scope, Site, piped_names, rule_sites, text_sites
from .source import Source

_COMPARISONS = frozenset({"==", "===", "!=", "!=="})
_NUMERIC = frozenset({"integer", "decimal", "port"})


@dataclass(frozen=True)
class _Place:
    """Where a question is asked: its page and position there."""

    page: str
    position: int
    question: Question


class RuleChecker:
    def __init__(self, definition: Definition, source: Source, graph: PageGraph) -> None:
        self.definition = definition
        self.source = source
        self.graph = graph
        self.places = {
            q.id: _Place(page.id, n, q)
            for page in definition.pages
            for n, q in enumerate(page.questions)
        }
        self.computed_order = {c.id: i for i, c in enumerate(definition.computed)}
        self.conditional_pages = {p.id for p in definition.pages if p.show_if is not None}
        self.groups = {
            qid: place.question
            for qid, place in self.places.items()
            if isinstance(place.question, RepeatQuestion)
        }

    def run(self) -> Iterator[Diagnostic]:
        for site, rule in rule_sites(self.definition):
            problems = check_rule(rule)
            for problem in problems:
                yield self._at(site, problem.pointer, f"invalid rule: {problem.message}")
            if problems:
                continue
            for name, pointer in variables_read(rule):
                yield from self._reference(site, name, pointer, "condition")
            yield from self._types(site, rule, "")
        for site, text in text_sites(self.definition):
            for name in piped_names(text):
                yield from self._reference(site, name, "", "quoted answer")

    def _at(
        self, site: Site, pointer: str, message: str, severity: Severity = Severity.ERROR
    ) -> Diagnostic:
        return self.source.diagnostic(
            (*site.path, *pointer_path(pointer)), message, severity=severity
        )

    def _reference(self, site: Site, name: str, pointer: str, what: str) -> Iterator[Diagnostic]:
        head, _, rest = name.partition(".")
        if head == "item" and site.group is not None:
            yield from self._item_reference(site, rest, pointer, what)
            return
        if (head == "value" and site.scope is Scope.CONSTRAINT) or head == TODAY:
            return
        if head in self.computed_order:
            yield from self._computed_reference(site, head, pointer)
            return
        if site.path[-1] == "choice_filter" and is_filter_own(head, site, self.places):
            return  # the option, or the question itself: check_choice_filter says more
        place = self.places.get(head)
        if place is None:
            known = [*self.places, *self.computed_order]
            message = f"{what} refers to unknown question '{head}'{did_you_mean(head, known)}"
            yield self._at(site, pointer, message)
            return
        if rest and isinstance(place.question, RepeatQuestion):
            tops = {key: p.question for key, p in self.places.items()}
            for message, severity in record_address(place.question, rest, what, tops):
                yield self._at(site, pointer, message, severity)
        if site.scope is Scope.COMPUTED:
            return
        if not self._answered_before(site, place):
            yield self._at(site, pointer, self._too_late(site, head, place, what))
        elif place.page != site.page and not self._always_asked_before(place.page, site):
            message = (
                f"{what} refers to '{head}' on page '{place.page}', which is not always asked "
                f"before page '{site.page}' (when it is skipped, '{head}' reads as unanswered)"
            )
            yield self._at(site, pointer, message, Severity.WARNING)

    def _answered_before(self, site: Site, place: _Place) -> bool:
        if place.page != site.page:
            return site.page is not None and place.page in self.graph.ancestors.get(site.page, ())
        if site.scope is Scope.PAGE:
            return True
        if (
            site.scope is Scope.CONSTRAINT
            and site.group is None
            and place.position == site.position
        ):
            return True
        return place.position < site.position

    def _too_late(self, site: Site, name: str, place: _Place, what: str) -> str:
        if place.page == site.page:
            return (
                f"{what} refers to '{name}', which is asked after this point on page '{place.page}'"
            )
        return (
            f"{what} refers to '{name}' on page '{place.page}', "
            f"which never comes before page '{site.page}'"
        )

    def _item_reference(
        self, site: Site, field: str, pointer: str, what: str
    ) -> Iterator[Diagnostic]:
        assert site.group is not None
        fields = [q.id for q in site.group.questions]
        head = field.partition(".")[0]
        computed = [c.id for c in site.group.computed]
        if head in computed and head not in fields:  # a clash is reported at the id
            message = order_problem(site.group, head, site.item_position, what)
            if message is not None:
                yield self._at(site, pointer, message)
        elif site.group.records_from is not None and head not in fields:
            message = unknown_field(site.group, head, what)
            if message is not None:
                yield self._at(site, pointer, message)
        elif head not in fields:
            message = f"{what} refers to unknown field 'item.{head}' of '{site.group.id}'"
            yield self._at(site, pointer, message + did_you_mean(head, [*fields, *computed]))
        elif fields.index(head) > site.item_position or (
            fields.index(head) == site.item_position and site.scope is not Scope.CONSTRAINT
        ):
            yield self._at(
                site, pointer, f"{what} refers to 'item.{head}', which is asked after this point"
            )

    def _computed_reference(self, site: Site, name: str, pointer: str) -> Iterator[Diagnostic]:
        if site.scope is Scope.COMPUTED:
            own = site.path[1]
            if isinstance(own, int) and self.computed_order[name] >= own:
                yield self._at(
                    site,
                    pointer,
                    f"computed value '{name}' must be defined before the values that use it",
                )
            return
        for dependency in self._computed_dependencies(name):
            place = self.places[dependency]
            if not self._answered_before(site, place):
                message = (
                    f"computed value '{name}' reads '{dependency}' on page '{place.page}', "
                    "which is not always answered by this point"
                )
                yield self._at(site, pointer, message, Severity.WARNING)
                return

    def _computed_dependencies(self, name: str) -> list[str]:
        rule = self.definition.computed[self.computed_order[name]].logic
        found: list[str] = []
        for read, _ in variables_read(rule):
            head = read.partition(".")[0]
            if head in self.places:
                found.append(head)
            elif (
                head in self.computed_order
                and self.computed_order[head] < self.computed_order[name]
            ):
                found.extend(self._computed_dependencies(head))
        return found

    def _types(
        self, site: Site, rule: Any, pointer: str, scope: ElementScope | None = None
    ) -> Iterator[Diagnostic]:
        """Type checks of literals, and names read inside iterators; ``scope`` is the
        iterator's elements when ``rule`` is applied to each."""
        if isinstance(rule, list):
            for i, item in enumerate(rule):
                yield from self._types(site, item, f"{pointer}/{i}", scope)
            return
        if not isinstance(rule, dict) or len(rule) != 1:
            return
        ((operator, args),) = rule.items()
        inner = f"{pointer}/{pointer_token(str(operator))}"
        name = var_name(rule)
        if scope is not None and name is not None and (problem := scope.problem(name)):
            yield self._at(site, inner, problem)
        if operator in ITERATORS and isinstance(args, list) and args:
            yield from self._types(site, args[0], f"{inner}/0", scope)
            listed = listable_groups(self.groups, site.group, scope)
            each = element_scope(str(operator), args[0], listed)
            for i, part in enumerate(args[1:], 1):
                # reduce's starting value (the third argument) is outside the elements
                yield from self._types(site, part, f"{inner}/{i}", each if i == 1 else scope)
            return
        if isinstance(args, list) and len(args) == 2:
            if operator in _COMPARISONS:
                yield from self._compare(site, str(operator), args, inner, scope)
            elif operator == "in":
                yield from self._membership(site, args, inner, scope)
        yield from self._types(site, args, inner, scope)

    def _question_of(
        self, site: Site, operand: Any, scope: ElementScope | None = None
    ) -> Question | None:
        if scope is not None:
            name = var_name(operand)
            return None if name is None else scope.field_of(name)
        if not (isinstance(operand, dict) and len(operand) == 1):
            return None
        ((operator, name),) = operand.items()
        if operator not in ("var", "val") or not isinstance(name, str):
            return None
        head, _, rest = name.partition(".")
        if head == "item" and site.group is not None:
            return next((q for q in site.group.questions if q.id == rest), None)
        place = self.places.get(head)
        if place is not None and rest:
            return addressed_field(place.question, rest)
        return place.question if place is not None else None

    def _compare(
        self, site: Site, operator: str, args: list[Any], pointer: str, scope: ElementScope | None
    ) -> Iterator[Diagnostic]:
        for side in (0, 1):
            question = self._question_of(site, args[side], scope)
            literal = args[1 - side]
            if question is None or isinstance(literal, dict | list) or literal is None:
                continue
            yield from self._literal_fits(site, question, literal, f"{pointer}/{1 - side}")
            warning = unanswered_comparison(operator, str(var_name(args[side])), question, literal)
            if warning and self._may_be_unanswered(site, question):
                yield self._at(site, pointer, warning, Severity.WARNING)

    def _may_be_unanswered(self, site: Site, question: Question) -> bool:
        """Whether ``question`` can read as unanswered where ``site``'s rule runs."""
        if not question.required or question.show_if is not None:
            return True
        place = self.places.get(question.id)
        if question.required_if is not None or place is None or place.question is not question:
            return True  # a record's fields are filled in one by one, as the rule runs
        if site.scope is Scope.COMPUTED:
            return True  # computed values are worked out from the first page on
        if place.page == site.page:
            # A page's own edges run once its required answers are given; anything else on
            # the page runs while the respondent fills it in (except a question's own check).
            own = site.scope is Scope.CONSTRAINT and place.position == site.position
            return not (own or "next" in site.path)
        return not self._always_asked_before(place.page, site)

    def _always_asked_before(self, page: str, site: Site) -> bool:
        """Whether every path to ``site``'s page shows ``page`` first (a page with its own
        ``show_if`` may be skipped)."""
        dominators = self.graph.dominators.get(site.page or "", ())
        return page in dominators and page not in self.conditional_pages

    def _membership(
        self, site: Site, args: list[Any], pointer: str, scope: ElementScope | None
    ) -> Iterator[Diagnostic]:
        needle, haystack = args
        question = self._question_of(site, haystack, scope)
        if question is not None and question.type == "multi_choice" and isinstance(needle, str):
            yield from self._literal_fits(site, question, needle, f"{pointer}/0", multi_ok=True)
        question = self._question_of(site, needle, scope)
        if question is not None and isinstance(haystack, list):
            for i, literal in enumerate(haystack):
                if not isinstance(literal, dict | list) and literal is not None:
                    yield from self._literal_fits(site, question, literal, f"{pointer}/1/{i}")

    def _literal_fits(
        self, site: Site, question: Question, literal: Any, pointer: str, multi_ok: bool = False
    ) -> Iterator[Diagnostic]:
        kind = question.type
        if kind == "yes_no" and not isinstance(literal, bool):
            yield self._at(
                site, pointer,
                f"'{question.id}' is a yes/no answer (true or false); comparing it with {literal!r} is never true",
                Severity.WARNING,
            )  # fmt: skip
        elif kind in ("choice", "multi_choice"):
            options = [c.value for c in getattr(question, "choices", ())]
            if kind == "multi_choice" and not multi_ok:
                yield self._at(
                    site, pointer,
                    f"'{question.id}' allows several answers: test it with "
                    f'{{"in": [{literal!r}, {{"var": "{question.id}"}}]}}',
                    Severity.WARNING,
                )  # fmt: skip
            elif str(literal) not in options:
                hint = did_you_mean(str(literal), options)
                yield self._at(
                    site, pointer, f"{literal!r} is not an option of '{question.id}'{hint}"
                )
        elif kind in _NUMERIC and isinstance(literal, str | bool):
            yield self._at(
                site, pointer,
                f"'{question.id}' is a number; comparing it with {literal!r} is probably a mistake",
                Severity.WARNING,
            )  # fmt: skip


def computed_dependencies(definition: Definition) -> Mapping[str, frozenset[str]]:
    """For each computed value, every question id it depends on (through other computed values too)."""
    questions = {q.id for page in definition.pages for q in page.questions}
    result: dict[str, frozenset[str]] = {}
    for computed in definition.computed:
        deps: set[str] = set()
        for read, _ in variables_read(computed.logic):
            head = read.partition(".")[0]
            deps |= {head} if head in questions else set(result.get(head, frozenset()))
        result[computed.id] = frozenset(deps)
    return result
