"""The conditions authors write most, compiled to small Python functions.

Most conditions compare one answer with a literal (``fabric == "cisco_aci"``, ``sites > 1``,
``"10." in address``) or join such comparisons with ``and``/``or``. For those, crossing into the
engine and converting the answers costs several times the comparison itself, so
:func:`specialise` builds a function that gives the engine's truth value directly, for values of
the types it knows exactly (text, numbers, yes/no, lists for ``in``). For anything else (a
missing answer, text compared with a number, a list compared with ``==``) the function gives
:data:`FALLBACK` and the engine decides, so JavaScript's coercions are never copied here.

The functions are called once per condition per page, so they are written for speed: a
comparison of one answer with a literal is one function with its constants bound as defaults,
no further calls; a comparison of two answers goes through small getters. Answers are read by
plain name only (``group.field`` is the engine's). ``tests/engine/test_fastpath.py`` holds
every shape to the engine's answer on generated values, and the JsonLogic conformance suite
runs through ``holds`` too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from .types import JSON

#: A specialised rule's answer when the values are not of the types it knows: ask the engine.
FALLBACK: Final = object()

Data = Mapping[str, JSON]
#: A specialised rule: ``True``/``False``, or :data:`FALLBACK`.
Fast = Callable[[Data], object]
_Operand = Callable[[Data], object]

#: Integers the engine and Python compare alike (beyond 2**53 the engine works in floats).
_EXACT: Final = 2**53
_INFINITY: Final = float("inf")
_Compare = Callable[[Any, Any], bool]
_ORDER: Final[dict[str, _Compare]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_EQUALITY: Final = frozenset({"==", "!=", "===", "!=="})


def specialise(rule: JSON) -> Fast | None:
    """A function giving ``rule``'s truth value, or None when ``rule`` is not a shape known here."""
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    ((op, args),) = rule.items()
    if op == "var":
        return _truthy(args)
    if op in ("and", "or"):
        return _joined(op == "or", args)
    if op in ("!", "!!"):
        return _negated(op == "!!", args)
    if op in _ORDER or op in _EQUALITY:
        return _compared(op, args)
    if op == "in":
        return _contained(args)
    return None


# -- operands -------------------------------------------------------------------------------------


def _name(args: JSON) -> str | None:
    """The answer ``{"var": args}`` reads, if it reads one by a plain name.

    Not ``group.field``: the engine is handed the whole group's value, and would refuse all of
    it for one field it cannot read, so only the engine can answer for those."""
    return args if isinstance(args, str) and args and "." not in args else None


def _operand(arg: JSON) -> _Operand | None:
    """A getter for an answer read by a plain name, or for a literal."""
    if isinstance(arg, dict):
        name = _plain(arg)
        return None if name is None else (lambda data: data.get(name))
    if isinstance(arg, list):
        return None  # an array literal means something else to each operator
    return lambda _data: arg


def _plain(arg: JSON) -> str | None:
    """The name of an operand ``{"var": "name"}``, else None."""
    if isinstance(arg, dict) and len(arg) == 1 and "var" in arg:
        return _name(arg["var"])
    return None


def _number(value: object) -> bool:
    """A number the engine holds as Python does: a float that is finite (it reads NaN and the
    infinities as null), an integer within exact floats."""
    kind = type(value)
    if kind is int:
        return -_EXACT <= value <= _EXACT  # type: ignore[operator]
    return kind is float and -_INFINITY < value < _INFINITY  # type: ignore[operator]


def _kind(value: object) -> str | None:
    """The JSON kind of a scalar the engine reads exactly as Python holds it, or None.

    Text must be ASCII: the engine refuses text with a lone surrogate (the whole rule is then
    false), and checking ASCII is the cheap way to rule that out."""
    kind = type(value)
    if kind is str:
        return "str" if value.isascii() else None  # type: ignore[attr-defined]
    if kind is bool:
        return "bool"
    return "number" if _number(value) else None


# -- truth ----------------------------------------------------------------------------------------


def _truthy(args: JSON) -> Fast | None:
    """``{"var": ...}``: the engine gives the value back, and the truth of a scalar is Python's."""
    name = _name(args)
    return None if name is None else _truth_of(name, want=True)


def _negated(want: bool, args: JSON) -> Fast | None:
    inner = args[0] if isinstance(args, list) and len(args) == 1 else args
    name = _plain(inner)
    return None if name is None else _truth_of(name, want=want)


def _truth_of(name: str, *, want: bool) -> Fast:
    """Whether the answer's truth is ``want``. Lists, objects and missing answers: the
    engine's own truthiness."""

    def fast(data: Data, _name: str = name, _want: bool = want) -> object:
        value = data.get(_name)
        return FALLBACK if _kind(value) is None else bool(value) is _want

    return fast


# -- comparisons ----------------------------------------------------------------------------------


def _compared(op: str, args: JSON) -> Fast | None:
    if not isinstance(args, list) or len(args) != 2:
        return None  # three arguments to "<" mean "between"
    name, literal = _plain(args[0]), args[1]
    if name is not None and not isinstance(literal, dict | list):
        fast = _plain_compared(op, name, literal)
        if fast is not None:
            return fast
    left, right = _operand(args[0]), _operand(args[1])
    if left is None or right is None:
        return None
    if op in _ORDER:
        return _ordered(_ORDER[op], left, right)
    return _equal(left, right, strict=op in ("===", "!=="), negate=op in ("!=", "!=="))


def _plain_compared(op: str, name: str, literal: JSON) -> Fast | None:
    """An answer compared with a literal: the common case, in one function."""
    if op in _ORDER and _number(literal):
        return _number_against(_ORDER[op], name, literal)
    negate = op in ("!=", "!==")
    if op in _EQUALITY and type(literal) is str:
        return _text_equal(name, literal, negate=negate, strict=op in ("===", "!=="))
    if op in _EQUALITY and _number(literal):
        return _number_equal(name, literal, negate=negate, strict=op in ("===", "!=="))
    if op in ("===", "!==") and type(literal) is bool:
        return _yes_no_equal(name, literal, negate=negate)
    return None


def _yes_no_equal(name: str, wanted: bool, *, negate: bool) -> Fast:
    """An answer ``===`` true or false: only a yes/no answer can be; text or a number never is."""

    def fast(data: Data, _name: str = name, _wanted: bool = wanted, _not: bool = negate) -> object:
        value = data.get(_name)
        if type(value) is bool:
            return (value is _wanted) is not _not
        return _not if _kind(value) is not None else FALLBACK

    return fast


def _number_against(compare: _Compare, name: str, limit: JSON) -> Fast:
    def fast(data: Data, _name: str = name, _limit: JSON = limit) -> object:
        value = data.get(_name)
        return compare(value, _limit) if _number(value) else FALLBACK

    return fast


def _text_equal(name: str, text: str, *, negate: bool, strict: bool) -> Fast:
    """An answer ``==`` (or ``===``) a text. Another kind of answer: for ``===`` never equal;
    for ``==`` the engine decides (JavaScript would coerce ``1 == "1"``)."""

    def fast(data: Data, _name: str = name, _text: str = text, _not: bool = negate) -> object:
        value = data.get(_name)
        if type(value) is str and value.isascii():
            return (value == _text) is not _not
        if strict and _kind(value) is not None:
            return _not
        return FALLBACK

    return fast


def _number_equal(name: str, number: JSON, *, negate: bool, strict: bool) -> Fast:
    """An answer ``==`` (or ``===``) a number: as :func:`_text_equal`, for numbers."""

    def fast(data: Data, _name: str = name, _n: JSON = number, _not: bool = negate) -> object:
        value = data.get(_name)
        if _number(value):
            return (value == _n) is not _not
        if strict and _kind(value) is not None:
            return _not
        return FALLBACK

    return fast


def _ordered(compare: _Compare, left: _Operand, right: _Operand) -> Fast:
    def fast(data: Data) -> object:
        a, b = left(data), right(data)
        return compare(a, b) if _number(a) and _number(b) else FALLBACK

    return fast


def _equal(left: _Operand, right: _Operand, *, strict: bool, negate: bool) -> Fast:
    """Scalars of the same kind compare as in Python; of different kinds, ``===`` says unequal
    and ``==`` asks the engine (JavaScript's coercions)."""

    def fast(data: Data) -> object:
        a, b = left(data), right(data)
        kind_a, kind_b = _kind(a), _kind(b)
        if kind_a is None or kind_b is None:
            return FALLBACK
        if kind_a != kind_b:
            return negate if strict else FALLBACK
        return (a == b) is not negate

    return fast


# -- membership -----------------------------------------------------------------------------------


def _contained(args: JSON) -> Fast | None:
    """``{"in": [answer, [texts]]}`` and ``{"in": [text, answer]}`` (a substring or an element)."""
    if not isinstance(args, list) or len(args) != 2:
        return None
    needle, haystack = args
    if isinstance(haystack, list):
        if not all(type(item) is str for item in haystack):
            return None
        name = _plain(needle)
        return None if name is None else _one_of(name, frozenset(haystack))
    if type(needle) is not str:
        return None
    name = _plain(haystack)
    return None if name is None else _holds_text(needle, name)


def _one_of(name: str, options: frozenset[str]) -> Fast:
    def fast(data: Data, _name: str = name, _options: frozenset[str] = options) -> object:
        value = data.get(_name)
        return value in _options if type(value) is str and value.isascii() else FALLBACK

    return fast


def _holds_text(needle: str, name: str) -> Fast:
    """A text within a text answer, or among a list's elements (which the engine compares
    strictly, as Python compares a text with anything else)."""

    def fast(data: Data, _needle: str = needle, _name: str = name) -> object:
        value: Any = data.get(_name)
        kind = type(value)
        if kind is str:
            return _needle in value if value.isascii() else FALLBACK
        if kind is list and _ascii_texts(value):
            return _needle in value
        return FALLBACK

    return fast


def _ascii_texts(items: list[Any]) -> bool:
    """Whether ``items`` holds only ASCII text (a multi-choice answer), which the engine reads
    as it is. Joining them checks both at C speed: it refuses anything but text."""
    try:
        return "".join(items).isascii()
    except TypeError:
        return False


# -- and, or --------------------------------------------------------------------------------------


def _joined(any_of: bool, args: JSON) -> Fast | None:
    """``or`` (``any_of``) and ``and``.

    Every part is evaluated, with no short cut: the engine is handed every answer the rule
    reads and refuses the whole rule for one it cannot read, so each part must have checked
    its own answers before the parts' truth may decide."""
    if not isinstance(args, list) or not args:
        return None
    parts = [specialise(arg) for arg in args]
    if any(part is None for part in parts):
        return None
    steps = tuple(part for part in parts if part is not None)

    def fast(data: Data, _steps: tuple[Fast, ...] = steps, _any: bool = any_of) -> object:
        decided = False  # "or": some part is true; "and": some part is false
        for step in _steps:
            found = step(data)
            if found is FALLBACK:
                return FALLBACK  # the engine evaluates the whole rule
            if found is _any:
                decided = True
        return decided is _any

    return fast
