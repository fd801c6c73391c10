"""Safe YAML reading that remembers where every value came from, and lets only JSON values out.

Definitions are data written by people: we use PyYAML's safe composer (no Python tags), then
walk its node tree ourselves so that every value gets a line and column, and so that aliases and
merge keys are expanded under a budget. An alias bomb (a few hundred bytes that expand to
millions of nodes) is refused as soon as the budget runs out, long before memory does.

What comes out is plain JSON: text keys; null, booleans, integers that fit in 64 bits, finite
numbers and text. Everything else a YAML file can hold (dates, binary, sets, NaN, integers of
5,000 digits, characters YAML forbids, bytes that are not UTF-8) is refused with its position,
so that a hostile file is an author's error to fix, never an exception that stops the app.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import yaml

from .diagnostics import DefinitionError, Diagnostic
from .types import JSON, MAX_INTEGER, MIN_INTEGER

#: A location inside a document: a tuple of mapping keys and sequence indexes.
Path = tuple[str | int, ...]

MAX_SOURCE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 100
#: libyaml's composer when PyYAML was built with it (ten times faster), else the pure-Python one.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset({f"{_TAG}map", f"{_TAG}seq"})
#: Scalars that are JSON values. ``value`` is the plain scalar ``=``, which is text to us.
_SCALAR_TAGS = frozenset(f"{_TAG}{kind}" for kind in ("null", "bool", "int", "float", "str"))
_TEXT_TAGS = frozenset({f"{_TAG}str", f"{_TAG}value"})
_MERGE = f"{_TAG}merge"
_TIMESTAMP = f"{_TAG}timestamp"
_KINDS = {"int": "integer", "float": "number", "bool": "boolean (true or false)"}
#: The characters YAML allows in a stream (YAML 1.1, 5.1), as PyYAML checks them; the others
#: (control characters, lone surrogates, U+FFFE and U+FFFF) are reported before parsing.
_NOT_IN_YAML = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern)


@dataclass
class Source:
    """A parsed document: its plain value and the line/column (1-based) of each path in it."""

    name: str
    value: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    #: Files read beside the document (CSV choice lists), by name: part of its identity.
    files: dict[str, bytes] = field(default_factory=dict)

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


def read_source(path: FilePath) -> str:
    """The text of the file at ``path``, or :class:`DefinitionError` saying why it cannot be read.

    At most one byte more than :data:`MAX_SOURCE_BYTES` is read, so that pointing the loader at
    a huge file (or ``/dev/zero``) costs no more than a file of the largest allowed size.
    """
    name = str(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise DefinitionError([Diagnostic(name, 1, 1, f"cannot read file: {exc}")]) from None
    _check_size(len(data), name)
    return decode_source(data, name)


def decode_source(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text, or :class:`DefinitionError` located at the first undecodable byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Everything before the bad byte decoded, so it locates the byte by line and column.
        line, column = _line_and_column(data[: exc.start].decode("utf-8"), exc.start)
        message = f"file is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read here"
        raise DefinitionError([Diagnostic(name, line, column, message)]) from None


def parse_yaml(text: str, name: str) -> Source:
    """Parse ``text`` safely into a :class:`Source`, or raise :class:`DefinitionError`."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), name)
    _check_characters(text, name)
    root = _compose(text, name)
    if root is None:
        return Source(name, None, {(): (1, 1)})
    walker = _Walker()
    try:
        value = walker.walk(root, ())
    except _Refused as exc:
        line, column = exc.mark.line + 1, exc.mark.column + 1
        raise DefinitionError([Diagnostic(name, line, column, exc.message)]) from None
    return Source(name, value, walker.positions)


def _check_size(size: int, name: str) -> None:
    if size > MAX_SOURCE_BYTES:
        message = f"file is larger than {MAX_SOURCE_BYTES} bytes"
        raise DefinitionError([Diagnostic(name, 1, 1, message)])


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _check_characters(text: str, name: str) -> None:
    """Refuse, with its position, the first character YAML does not allow.

    PyYAML would refuse most of them too, but libyaml reports no position for them and cannot
    even encode a lone surrogate (a ``UnicodeEncodeError``, not a YAML error).
    """
    found = _NOT_IN_YAML.search(text)
    if found is None:
        return
    line, column = _line_and_column(text, found.start())
    message = f"{_describe(found.group())} is not allowed in YAML"
    raise DefinitionError([Diagnostic(name, line, column, message)])


def _describe(character: str) -> str:
    """``character U+0000 (a control character)``."""
    kind = {"Cc": "a control character", "Cs": "half of a surrogate pair"}.get(
        unicodedata.category(character), "not a character"
    )
    return f"character U+{ord(character):04X} ({kind})"


def _compose(text: str, name: str, loader: type[yaml.SafeLoader] = _COMPOSER) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and problem.startswith("but "):  # "expected X" + "but found Y"
            problem = f"{exc.context} {problem}"
        raise DefinitionError([Diagnostic(name, line, column, f"YAML syntax: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([Diagnostic(name, 1, 1, f"YAML syntax: {exc}")]) from None
    except RecursionError:  # the pure-Python composer recurses once per level of nesting
        message = f"document nests deeper than {MAX_DEPTH} levels"
        raise DefinitionError([Diagnostic(name, 1, 1, message)]) from None


class _Refused(Exception):
    """Something in the document that is not allowed, at ``mark``."""

    def __init__(self, mark: yaml.Mark, message: str) -> None:
        self.mark = mark
        self.message = message


def _excerpt(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Walker:
    def __init__(self) -> None:
        self.positions: dict[Path, tuple[int, int]] = {}
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")  # only used to resolve scalars to Python values
        #: Each mapping's pairs with its merges done, by node identity (the nodes outlive us).
        self._flattened: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}

    def _charge(self, count: int, mark: yaml.Mark) -> None:
        """Count ``count`` more values against the budget; refuse the document beyond it."""
        self.nodes += count
        if self.nodes > MAX_NODES:
            raise _Refused(mark, f"document expands to more than {MAX_NODES} values")

    def walk(self, node: yaml.Node, path: Path) -> JSON:
        self._charge(1, node.start_mark)
        if len(path) > MAX_DEPTH:
            raise _Refused(node.start_mark, f"document nests deeper than {MAX_DEPTH} levels")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag not in _PLAIN_TAGS:
            raise _Refused(node.start_mark, _tag_refused(node.tag))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]

    def _scalar(self, node: yaml.ScalarNode) -> JSON:
        """The scalar's JSON value; dates, binary and numbers JSON cannot hold are refused."""
        if node.tag == _TIMESTAMP:
            raise _Refused(
                node.start_mark,
                f"{node.value} reads as a date, which is not a JSON value: "
                f"write it in quotes ('{node.value}')",
            )
        if node.tag in _TEXT_TAGS:
            return _checked_text(node)
        if node.tag not in _SCALAR_TAGS:
            raise _Refused(node.start_mark, _tag_refused(node.tag))
        try:
            value = self.constructor.construct_object(node)
        except (ArithmeticError, LookupError, ValueError):  # "!!bool maybe", "!!int ''"...
            raise _Refused(node.start_mark, _unreadable(node)) from None
        _check_number(value, node)
        return value

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise _Refused(node.start_mark, "mapping keys must be text, not lists or mappings")
        key = self._scalar(node)
        if not isinstance(key, str):
            raise _Refused(
                node.start_mark,
                f"mapping keys must be text: write {_excerpt(node.value)} in quotes "
                f"('{_excerpt(node.value)}')",
            )
        return key

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, JSON]:
        seen: set[str] = set()
        for key_node, _ in _explicit_pairs(node):
            key = self._key(key_node)
            if key in seen:
                raise _Refused(key_node.start_mark, f"duplicate key '{_excerpt(key)}'")
            seen.add(key)
        # Later pairs override earlier ones: explicit keys override merged ones (YAML's merge
        # key type), wherever the `<<` stands.
        chosen = {self._key(k): (k, v) for k, v in self._flat_pairs(node, 0)}
        result: dict[str, JSON] = {}
        for key, (key_node, value_node) in chosen.items():
            key_path = (*path, key)
            self.positions[key_path] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.walk(value_node, key_path)
        return result

    def _flat_pairs(self, node: yaml.MappingNode, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        """The pairs of ``node`` with those its ``<<`` keys merge in first, charged to the budget.

        PyYAML's ``flatten_mapping`` is not used: it rewrites the shared nodes in place, and
        the PyYAML versions we accept let merge bombs (yaml/pyyaml#897) or a few thousand
        aliases to a list of empty mappings cost minutes before anything counts them. Here
        each merged mapping costs one value plus its pairs; each mapping is flattened once
        (aliases share it), and one that merges itself is caught by the depth limit.
        """
        known = self._flattened.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise _Refused(node.start_mark, f"merge keys nest deeper than {MAX_DEPTH} levels")
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                continue
            # In `<<: [*a, *b]` the first mapping wins, so it is taken last.
            for merged in reversed(_merge_sources(value_node)):
                flat = self._flat_pairs(merged, depth + 1)
                self._charge(1 + len(flat), key_node.start_mark)
                pairs.extend(flat)
        pairs.extend(_explicit_pairs(node))
        self._flattened[id(node)] = pairs
        return pairs


def _merge_sources(node: yaml.Node) -> list[yaml.MappingNode]:
    sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not all(isinstance(source, yaml.MappingNode) for source in sources):
        raise _Refused(node.start_mark, "'<<' merges a mapping or a list of mappings")
    return list(sources)


def _explicit_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    return [(key, value) for key, value in node.value if key.tag != _MERGE]


def _checked_text(node: yaml.ScalarNode) -> str:
    """The scalar's text, unless an escape (``"\\0"``, ``"\\uD800"``) wrote a character YAML
    refuses in a file: such text cannot be stored in PostgreSQL or sent as UTF-8."""
    text = str(node.value)
    found = _NOT_IN_YAML.search(text)
    if found is not None:
        message = f"text holds {_describe(found.group())}, not allowed even as an escape"
        raise _Refused(node.start_mark, message)
    return text


def _unreadable(node: yaml.ScalarNode) -> str:
    """Why PyYAML could not construct a scalar: a value that its explicit tag does not fit, or
    an integer beyond the 4,300 digits Python's int() reads from text."""
    kind = node.tag.removeprefix(_TAG)
    digits = sum(character.isdigit() for character in node.value)
    if kind == "int" and digits > sys.get_int_max_str_digits():
        return f"integer has too many digits: integers lie between {MIN_INTEGER} and {MAX_INTEGER}"
    return f"'{_excerpt(node.value)}' is not a valid {_KINDS.get(kind, kind)}"


def _tag_refused(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"YAML tag '{shown}' is not allowed in a definition"


def _check_number(value: JSON, node: yaml.ScalarNode) -> None:
    """Refuse numbers that JSON (and the JSON-Logic engine) cannot hold."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not MIN_INTEGER <= value <= MAX_INTEGER:
        raise _Refused(
            node.start_mark,
            f"integer {_excerpt(node.value)} is out of range: integers lie between "
            f"{MIN_INTEGER} and {MAX_INTEGER}",
        )
    if isinstance(value, float) and not math.isfinite(value):
        written = node.value.lower()
        reason = (
            "JSON has no infinity or NaN" if "inf" in written or "nan" in written else "too large"
        )
        raise _Refused(node.start_mark, f"number {_excerpt(node.value)} is not allowed: {reason}")
