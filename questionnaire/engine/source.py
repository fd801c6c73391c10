"""Safe YAML reading that remembers where every value came from.

Definitions are data written by people: we use PyYAML's safe composer (no Python tags), then
walk its node tree ourselves so that every value gets a line and column, and so that aliases are
expanded under a budget. An alias bomb (a few hundred bytes that expand to millions of nodes) is
refused as soon as the budget runs out, long before memory does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import DefinitionError, Diagnostic

#: A location inside a document: a tuple of mapping keys and sequence indexes.
Path = tuple[str | int, ...]

MAX_SOURCE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 100
#: libyaml's composer when PyYAML was built with it (ten times faster), else the pure-Python one.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass
class Source:
    """A parsed document: its plain value and the line/column (1-based) of each path in it."""

    name: str
    value: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:cut]))
            if found is not None:
                return found
        return (1, 1)

    def diagnostic(self, path: Path, message: str, **kwargs: Any) -> Diagnostic:
        line, column = self.position(path)
        return Diagnostic(self.name, line, column, message, where=format_path(path), **kwargs)


def format_path(path: Path) -> str:
    """``pages[2].questions[0].show_if`` for ``("pages", 2, "questions", 0, "show_if")``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Budget(Exception):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        self.mark = mark
        self.message = message


class _Walker:
    def __init__(self) -> None:
        self.positions: dict[Path, tuple[int, int]] = {}
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")  # only used to resolve scalars to Python values

    def walk(self, node: yaml.Node, path: Path) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Budget(node.start_mark, f"document expands to more than {MAX_NODES} values")
        if len(path) > MAX_DEPTH:
            raise _Budget(node.start_mark, f"document nests deeper than {MAX_DEPTH} levels")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            raise _Budget(node.start_mark, f"YAML tag '{node.tag}' is not allowed in a definition")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        explicit = sum(key.tag != "tag:yaml.org,2002:merge" for key, _ in node.value)
        self.constructor.flatten_mapping(node)  # puts the `<<` merged pairs first
        merged = len(node.value) - explicit
        result: dict[Any, Any] = {}
        seen: set[Any] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) and key is not None:
                raise _Budget(key_node.start_mark, "mapping keys must be plain scalars")
            if index >= merged:  # explicit keys override merged ones, but not each other
                if key in seen:
                    raise _Budget(key_node.start_mark, f"duplicate key '{key}'")
                seen.add(key)
            key_path = (*path, str(key))
            self.positions[key_path] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.walk(value_node, key_path)
        return result


def parse_yaml(text: str, name: str) -> Source:
    """Parse ``text`` safely into a :class:`Source`, or raise :class:`DefinitionError`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        raise DefinitionError(
            [Diagnostic(name, 1, 1, f"file is larger than {MAX_SOURCE_BYTES} bytes")]
        )
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise DefinitionError([Diagnostic(name, line, column, f"YAML syntax: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Diagnostic(name, 1, 1, f"YAML syntax: {exc}")]) from None
    if root is None:
        return Source(name, None, {(): (1, 1)})
    walker = _Walker()
    try:
        value = walker.walk(root, ())
    except _Budget as exc:
        line, column = exc.mark.line + 1, exc.mark.column + 1
        raise DefinitionError([Diagnostic(name, line, column, exc.message)]) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DefinitionError([Diagnostic(name, line, column, f"YAML: {exc.problem}")]) from None
    return Source(name, value, walker.positions)
