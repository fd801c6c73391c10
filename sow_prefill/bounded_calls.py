"""What templates may call in Python, each call bounded: methods of built-in values and filters.

Methods of text, numbers and collections are allowed by name (an allowlist: a method nobody
thought about, such as ``(1).to_bytes(10**9)``, is refused rather than trusted). Those that
multiply their input (``center``, ``replace``, ``join``...) are checked from their arguments
before they run; every result is measured after. Filters are allowed by name too, the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import pass_context, pass_environment, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import do_round, make_attrgetter, sync_do_join
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join

from .limits import (
    MAX_POWER,
    check_percent,
    current,
    require_estimate,
    require_size,
    text_size,
)

Function = Callable[..., Any]

TEXT = (str, bytes, bytearray)
NUMBERS = (int, float, complex)
COLLECTIONS = (list, tuple, dict, set, frozenset, range)
BUILTIN_VALUES = TEXT + NUMBERS + COLLECTIONS

#: Text methods whose result is no longer than a small multiple of the text.
TEXT_METHODS = frozenset({
    "capitalize", "casefold", "count", "decode", "encode", "endswith", "find", "hex", "index",
    "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
    "isnumeric", "isprintable", "isspace", "istitle", "isupper", "lower", "lstrip", "partition",
    "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip", "split",
    "splitlines", "startswith", "strip", "striptags", "swapcase", "title", "unescape", "upper",
})  # fmt: skip
NUMBER_METHODS = frozenset({
    "as_integer_ratio", "bit_count", "bit_length", "conjugate", "hex", "is_integer",
})  # fmt: skip
COLLECTION_METHODS = frozenset({
    "copy", "count", "difference", "get", "index", "intersection", "isdisjoint", "issubset",
    "issuperset", "items", "keys", "symmetric_difference", "union", "values",
})  # fmt: skip


def _width(text: Any, width: Any = 0, *rest: Any) -> int:
    """``center``, ``ljust``, ``rjust``, ``zfill``: the result is as long as the width."""
    length = len(text) if isinstance(text, TEXT) else text_size(text)
    return max(length, width) if isinstance(width, int) else length


def _expandtabs(text: Any, tabsize: Any = 8) -> int:
    if isinstance(tabsize, int) and isinstance(text, TEXT):
        tab = "\t" if isinstance(text, str) else b"\t"
        return len(text) + text.count(tab) * max(tabsize, 0)  # type: ignore[arg-type]
    return 0


def _replace(text: Any, old: Any = "", new: Any = "", count: Any = -1) -> int:
    if not (isinstance(text, TEXT) and isinstance(old, TEXT) and isinstance(new, TEXT)):
        return 0
    found = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _translate(text: Any, table: Any = None) -> int:
    if not isinstance(text, TEXT):
        return 0
    if not isinstance(table, Mapping):
        return len(text)
    longest = max((len(v) for v in table.values() if isinstance(v, TEXT)), default=1)
    return len(text) * max(longest, 1)


#: Text methods that can multiply their text: the size of their result, worked out before.
SIZED_TEXT_METHODS: Mapping[str, Callable[..., int]] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _expandtabs,
    "replace": _replace,
    "translate": _translate,
}


def is_builtin_method(obj: Any) -> bool:
    """``obj`` is a method of a built-in value (text, number, collection) or of its type."""
    receiver = getattr(obj, "__self__", None)
    return isinstance(receiver, BUILTIN_VALUES) or (
        isinstance(receiver, type) and issubclass(receiver, BUILTIN_VALUES)
    )


def call_builtin_method(method: Function, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``method(*args, **kwargs)`` if its name is allowed for its receiver, within the limits."""
    receiver, name = method.__self__, method.__name__  # type: ignore[attr-defined]
    kind = receiver if isinstance(receiver, type) else type(receiver)
    what = f"'{kind.__name__}.{name}()'"
    if isinstance(receiver, type) or not _allowed(receiver, name):
        raise SecurityError(f"{what} is not available in a template")
    if name == "join":
        args = (_listed(args[0]), *args[1:]) if args else args
        require_estimate(_join_size(receiver, args[0] if args else ()), what)
    elif name in SIZED_TEXT_METHODS:
        require_estimate(SIZED_TEXT_METHODS[name](receiver, *args, *kwargs.values()), what)
    result = method(*args, **kwargs)
    require_size(result, what)
    return result


def _allowed(receiver: Any, name: str) -> bool:
    if isinstance(receiver, TEXT):
        return name in TEXT_METHODS or name in SIZED_TEXT_METHODS or name == "join"
    if isinstance(receiver, NUMBERS):
        return name in NUMBER_METHODS
    return name in COLLECTION_METHODS


def _listed(items: Any) -> Any:
    """The items to join, as a list: measured, they would otherwise be used up."""
    return list(items) if isinstance(items, Iterable) else items


def _join_size(separator: Any, items: Any) -> int:
    if not isinstance(items, list | tuple):
        return 0
    return sum(text_size(item) for item in items) + len(separator) * max(len(items) - 1, 0)


# Filters ------------------------------------------------------------------------------------------

#: The filters templates may use. Left out: ``batch`` and ``slice`` (they pad to any length),
#: ``tojson`` (its indent multiplies), ``urlize`` and ``xmlattr`` (HTML, where the output is
#: Markdown), ``random`` (a SoW must come out the same each time) and ``pprint``.
ALLOWED_FILTERS = frozenset({
    "abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
    "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int",
    "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
    "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string",
    "striptags", "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
    "wordwrap",
})  # fmt: skip


def _center(value: Any, width: Any = 80) -> None:
    require_estimate(_width(value, width), "the 'center' filter")


def _indent(text: Any, width: Any = 4, *rest: Any, **options: Any) -> None:
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    lines = str(text).count("\n") + 1
    require_estimate(text_size(text) + lines * step, "the 'indent' filter")


def _wordwrap(
    environment: Any,
    text: Any,
    width: Any = 79,
    breaks: Any = True,
    wrapstring: Any = None,
    *rest: Any,
) -> None:
    text = str(text)
    if not isinstance(width, int) or width < 1:
        return  # textwrap refuses it itself
    # Each line holds a word at least, or ``width`` characters of a long word.
    lines = len(text.split()) + len(text) // width + text.count("\n") + 1
    joint = len(wrapstring) if isinstance(wrapstring, str) else 1
    require_estimate(len(text) + lines * joint, "the 'wordwrap' filter")


def _replace_filter(eval_ctx: Any, text: Any, old: Any, new: Any, count: Any = None) -> None:
    size = _replace(str(text), str(old), str(new), -1 if count is None else count)
    require_estimate(size, "the 'replace' filter")


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    check_percent(str(value), kwargs or args)


#: Filters that can multiply their input: checked from their arguments before they run.
PRECHECKS: Mapping[str, Function] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "replace": _replace_filter,
    "format": _format_filter,
}


@pass_eval_context
def bounded_join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    items = list(value)
    if attribute is not None:
        getter = make_attrgetter(eval_ctx.environment, attribute)
        items = [getter(item) for item in items]
    require_estimate(_join_size(str(d), items), "the 'join' filter")
    return sync_do_join(eval_ctx, items, d)


@pass_environment
def bounded_sum(
    environment: Any, iterable: Iterable[Any], attribute: str | int | None = None, start: Any = 0
) -> Any:
    # Numbers only: adding lists or texts in a loop copies them again and again.
    if not isinstance(start, int | float) or isinstance(start, bool):
        raise SecurityError("the 'sum' filter adds numbers only")
    if attribute is not None:
        getter = make_attrgetter(environment, attribute)
        iterable = map(getter, iterable)
    return sum(iterable, start)


def bounded_round(value: Any, precision: int = 0, method: str = "common") -> float:
    # round(12345, -10**9) computes 10**(10**9) first.
    if isinstance(precision, int) and abs(precision) > MAX_POWER:
        raise SecurityError(f"rounding to more than {MAX_POWER} digits is not allowed")
    return do_round(value, precision, method)  # type: ignore[arg-type]


REPLACEMENTS: Mapping[str, Function] = {
    "join": bounded_join,
    "sum": bounded_sum,
    "round": bounded_round,
}


def bounded_filters(filters: Mapping[str, Function]) -> dict[str, Function]:
    """The allowed filters of ``filters``, each counted as a call and bounded."""
    return {
        name: _bounded(name, REPLACEMENTS.get(name, filters[name]), PRECHECKS.get(name))
        for name in sorted(ALLOWED_FILTERS)
    }


def _bounded(name: str, function: Function, precheck: Function | None) -> Function:
    what = f"the '{name}' filter"

    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment marker
    def bounded(*args: Any, **kwargs: Any) -> Any:
        current().call()
        if precheck is not None:
            precheck(*args, **kwargs)
        result = function(*args, **kwargs)
        require_size(result, what)
        return result

    return bounded


# The filters the sandbox adds to every compiled template (see sow_prefill.template_code): their
# names hold a colon, so that no template can write them.
LOOP_FILTER = "sandbox:loop"
CONCAT_FILTER = "sandbox:concat"
SIZED_FILTER = "sandbox:sized"


@pass_context  # never run at compile time: a loop must be counted each time it runs
def counted_loop(context: Context, iterable: Iterable[Any]) -> Iterable[Any]:
    return current().loop(iterable)


@pass_eval_context
def bounded_concat(eval_ctx: EvalContext, parts: tuple[Any, ...]) -> str:
    """``a ~ b``: Jinja's own join, once the parts' total length is known to fit."""
    require_estimate(sum(text_size(part) for part in parts), "'~'")
    joined: str = markup_join(parts) if eval_ctx.autoescape else str_join(parts)
    return joined


def sized(value: Any) -> Any:
    """A list, tuple or dict written in a template, once it is known to print short enough."""
    require_size(value, "a list or dict")
    return value


SANDBOX_FILTERS: Mapping[str, Function] = {
    LOOP_FILTER: counted_loop,
    CONCAT_FILTER: bounded_concat,
    SIZED_FILTER: sized,
}
