"""Structural checks of a definition: ids, edges, the shape of the page graph."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .diagnostics import Diagnostic, Severity, did_you_mean
from .model import RESERVED_IDS, REVIEW, Definition, RepeatQuestion
from .source import Path, Source


@dataclass(frozen=True)
class PageGraph:
    """Pages and their successors.

    ``ancestors[p]`` are the pages that can come before ``p``; ``dominators[p]`` those that
    always do, on every path from the start page.
    """

    successors: Mapping[str, tuple[str, ...]]
    ancestors: Mapping[str, frozenset[str]]
    dominators: Mapping[str, frozenset[str]]
    reachable: frozenset[str]


def build_graph(definition: Definition) -> PageGraph:
    ids = {page.id for page in definition.pages}
    successors = {
        page.id: tuple(dict.fromkeys(e.to for e in page.next if e.to in ids))
        for page in definition.pages
    }
    reachable = _reach(definition.start_page, successors)
    ancestors: dict[str, set[str]] = {page: set() for page in ids}
    for page in ids:
        for later in _reach(page, successors) - {page}:
            ancestors[later].add(page)
    return PageGraph(
        successors,
        {k: frozenset(v) for k, v in ancestors.items()},
        _dominators(definition.start_page, successors, reachable),
        frozenset(reachable),
    )


def _dominators(
    start: str, successors: Mapping[str, tuple[str, ...]], reachable: set[str]
) -> dict[str, frozenset[str]]:
    """The classic iterative data-flow solution; the graphs are tiny, so clarity wins."""
    predecessors: dict[str, set[str]] = {page: set() for page in successors}
    for page in reachable:
        for target in successors[page]:
            predecessors[target].add(page)
    everything = frozenset(reachable)
    dominators = dict.fromkeys(reachable, everything)
    dominators[start] = frozenset()
    changed = True
    while changed:
        changed = False
        for page in reachable - {start}:
            preds = [dominators[p] | {p} for p in predecessors[page] if p in reachable]
            new = frozenset.intersection(*preds) if preds else frozenset()
            if new != dominators[page]:
                dominators[page], changed = new, True
    return dominators


def _reach(start: str, successors: Mapping[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        page = stack.pop()
        if page in seen or page not in successors:
            continue
        seen.add(page)
        stack.extend(successors[page])
    return seen


def check_structure(
    definition: Definition, source: Source, graph: PageGraph
) -> Iterator[Diagnostic]:
    yield from _duplicate_ids(definition, source)
    yield from _edges(definition, source)
    yield from _cycles(definition, source, graph)
    for p, page in enumerate(definition.pages):
        if page.id not in graph.reachable:
            yield source.diagnostic(
                ("pages", p, "id"),
                f"page '{page.id}' can never be reached from the start page '{definition.start_page}'",
                severity=Severity.WARNING,
            )


def _first_seen(
    items: Iterable[tuple[str, Path]], what: str, source: Source
) -> Iterator[Diagnostic]:
    seen: dict[str, Path] = {}
    for name, path in items:
        if name in seen:
            line, _ = source.position(seen[name])
            yield source.diagnostic(
                path, f"duplicate {what} '{name}' (first defined on line {line})"
            )
        else:
            seen[name] = path
        if name in RESERVED_IDS and what != "option":
            yield source.diagnostic(
                path, f"'{name}' is a reserved word and cannot be used as an id"
            )


def _duplicate_ids(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    yield from _first_seen(
        ((page.id, ("pages", p, "id")) for p, page in enumerate(definition.pages)),
        "page id",
        source,
    )
    names: list[tuple[str, Path]] = [
        (c.id, ("computed", i, "id")) for i, c in enumerate(definition.computed)
    ]
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            path: Path = ("pages", p, "questions", q)
            names.append((question.id, (*path, "id")))
            for _, values in _choice_values(question, path):
                yield from _first_seen(values, "option", source)
            if isinstance(question, RepeatQuestion):
                yield from _first_seen(
                    (
                        (item.id, (*path, "questions", i, "id"))
                        for i, item in enumerate(question.questions)
                    ),
                    f"field of '{question.id}'",
                    source,
                )
                for i, item in enumerate(question.questions):
                    for _, values in _choice_values(item, (*path, "questions", i)):
                        yield from _first_seen(values, "option", source)
    yield from _first_seen(names, "question or computed id", source)


def _choice_values(question: object, path: Path) -> Iterator[tuple[Path, list[tuple[str, Path]]]]:
    choices = getattr(question, "choices", ())
    if choices:
        yield path, [(c.value, (*path, "choices", i, "value")) for i, c in enumerate(choices)]


def _edges(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    ids = [page.id for page in definition.pages]
    if definition.start is not None and definition.start not in ids:
        yield source.diagnostic(
            ("start",),
            f"start page '{definition.start}' does not exist{did_you_mean(definition.start, ids)}",
        )
    for p, page in enumerate(definition.pages):
        for e, edge in enumerate(page.next):
            if edge.to not in ids and edge.to != REVIEW:
                hint = did_you_mean(edge.to, [*ids, REVIEW])
                yield source.diagnostic(
                    ("pages", p, "next", e, "to"),
                    f"page '{page.id}' leads to unknown page '{edge.to}'{hint}",
                )
            if edge.if_ is None and e < len(page.next) - 1:
                yield source.diagnostic(
                    ("pages", p, "next", e + 1),
                    f"page '{page.id}': this edge can never be taken, the default edge before it always is",
                    severity=Severity.WARNING,
                )
        if not page.next or page.next[-1].if_ is not None:
            yield source.diagnostic(
                ("pages", p, "next"),
                f"page '{page.id}' has no default edge: end 'next' with an edge that has no 'if' "
                f"(use 'to: {REVIEW}' to end the questionnaire)",
            )


def _cycles(definition: Definition, source: Source, graph: PageGraph) -> Iterator[Diagnostic]:
    index = {page.id: p for p, page in enumerate(definition.pages)}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in index:
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            page, child = stack.pop()
            if child == 0:
                if state.get(page):
                    continue
                state[page] = 1
            nexts = graph.successors[page]
            if child < len(nexts):
                stack.append((page, child + 1))
                target = nexts[child]
                if state.get(target) == 1:
                    edge = next(
                        e
                        for e, edge in enumerate(definition.pages[index[page]].next)
                        if edge.to == target
                    )
                    yield source.diagnostic(
                        ("pages", index[page], "next", edge, "to"),
                        f"page '{page}' leads back to '{target}', making a cycle: "
                        "pages must form a graph without loops (use a repeating group to ask for a list)",
                    )
                elif not state.get(target):
                    stack.append((target, 0))
            else:
                state[page] = 2
