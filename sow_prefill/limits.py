"""The work one template rendering may do, and the checks that hold it to that.

Jinja's sandbox keeps templates away from Python internals, but not from working hard:
``{{ 'a' | center(10**9) }}`` allocates a gigabyte in one step, and nested loops over a long
string run for minutes without printing a character. So the work itself is counted:

* a :class:`Budget` per rendering counts loop iterations (all loops together, nested ones
  included) and calls, and looks at the clock on each of them;
* every value a template makes (text, lists, dicts) is measured as the text it prints as
  (:func:`text_size`), and none may be longer than :data:`MAX_TEXT_CHARS`;
* what multiplies its input in one step (widths, repetition, ``replace``, ``join``, format
  fields) is checked *before* it runs, from the sizes of its arguments.

The checks raise :class:`LimitReached`, a :class:`~jinja2.exceptions.SecurityError`, which
:func:`sow_prefill.sandbox.render` turns into a ``RenderError`` naming the template and line.
"""

from __future__ import annotations

import re
import string
import time
from collections import deque
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    ValuesView,
)
from contextvars import ContextVar
from itertools import chain, islice
from typing import Any

from jinja2.exceptions import SecurityError

#: Characters of output one section may render.
MAX_OUTPUT_CHARS = 500_000
#: The longest text (or list, counted as the text it prints as) a template may make: a value
#: longer than the whole output may be is never needed.
MAX_TEXT_CHARS = MAX_OUTPUT_CHARS
MAX_SECONDS = 2.0
MAX_LOOP_ITERATIONS = 10_000
MAX_CALLS = 50_000
MAX_RANGE_ITEMS = 10_000
MAX_REPEAT = 10_000
MAX_POWER = 64
MAX_INT_BITS = 4_096
MAX_WIDTH = MAX_REPEAT

_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


class LimitReached(SecurityError):
    """A template asked for more work than a rendering may do."""


class TooSlow(LimitReached):
    """The rendering ran past its time limit."""


class Budget:
    """The work left to one rendering: loop iterations, calls, range numbers and time."""

    __slots__ = ("calls", "deadline", "iterations", "numbers", "seconds")

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.iterations = self.calls = self.numbers = 0

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooSlow(f"rendering took longer than {self.seconds} seconds")

    def call(self) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise LimitReached(f"more than {MAX_CALLS} calls in one rendering")
        self.check_time()

    def loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.iterations += 1
            if self.iterations > MAX_LOOP_ITERATIONS:
                raise LimitReached(
                    f"loops ran more than {MAX_LOOP_ITERATIONS} times in one rendering "
                    "(all loops together)"
                )
            self.check_time()
            yield item

    def range(self, *args: int) -> range:
        """``range``, counted: its numbers are made lazily, so counting loops is not enough
        (``range(10**9) | list`` never loops)."""
        numbers = range(*args)
        try:
            self.numbers += len(numbers)
        except OverflowError:
            self.numbers = MAX_RANGE_ITEMS + 1
        if self.numbers > MAX_RANGE_ITEMS:
            raise LimitReached(f"ranges of more than {MAX_RANGE_ITEMS} numbers in one rendering")
        return numbers


#: The budget of the rendering under way in this thread (or task): filters and the sandbox's
#: hooks find it here, since Jinja does not pass the context to most of them.
_CURRENT: ContextVar[Budget | None] = ContextVar("sow_template_budget", default=None)


def current() -> Budget:
    budget = _CURRENT.get()
    if budget is None:
        # Also reached when Jinja's optimiser tries a filter at compile time: it then leaves
        # the filter to run time, where a budget is in place.
        raise LimitReached("templates render only through sow_prefill.sandbox.render")
    return budget


def start(budget: Budget) -> Callable[[], None]:
    """Make ``budget`` the current one; returns the function that ends it."""
    token = _CURRENT.set(budget)
    return lambda: _CURRENT.reset(token)


# Sizes ------------------------------------------------------------------------------------------

_SEQUENCES = (list, tuple, set, frozenset, deque, KeysView, ValuesView, ItemsView)


def text_size(value: object, limit: int = MAX_TEXT_CHARS) -> int:
    """About how many characters ``str(value)`` has, counted only until it passes ``limit``.

    A list may hold one long text many times over (``[s, s]``, doubled in a loop): printed,
    each copy counts, so lists and dicts are walked as printing walks them, and the walk stops
    as soon as the count passes ``limit``. Other objects print short (a namespace prints as
    ``<namespace>``; see :class:`sow_prefill.sandbox.OpaqueNamespace`).
    """
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    total = 0
    pending: list[object] = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 4  # quotes and a separator
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 3
        elif isinstance(item, Mapping):
            total += 2
            pending.extend(islice(chain.from_iterable(item.items()), limit - total + 1))
        elif isinstance(item, _SEQUENCES):
            total += 2
            pending.extend(islice(item, limit - total + 1))
        else:
            total += 16
    return total


def require_size(value: object, what: str) -> None:
    if text_size(value) > MAX_TEXT_CHARS:
        raise LimitReached(f"{what} would make text longer than {MAX_TEXT_CHARS} characters")


def require_estimate(size: int, what: str) -> None:
    if size > MAX_TEXT_CHARS:
        raise LimitReached(f"{what} would make text longer than {MAX_TEXT_CHARS} characters")


# Operators ----------------------------------------------------------------------------------------


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``+``, ``*``, ``**`` and ``%`` whose result would be too big, before Python makes it."""
    if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
        raise SecurityError(f"power above {MAX_POWER} is not allowed in a template")
    if operator in ("*", "**") and _huge_number(operator, left, right):
        raise SecurityError(f"numbers above {MAX_INT_BITS} bits are not allowed in a template")
    if operator == "*":
        _check_repeat(left, right)
    elif operator == "+" and not isinstance(left, int | float):
        require_estimate(text_size(left) + text_size(right), "'+'")
    elif operator == "%" and isinstance(left, str | bytes):
        check_percent(left, right)


def _huge_number(operator: str, left: Any, right: Any) -> bool:
    if not (isinstance(left, int) and isinstance(right, int)):
        return False
    if operator == "**":
        return right > 0 and abs(left).bit_length() * right > MAX_INT_BITS
    return left.bit_length() + right.bit_length() > MAX_INT_BITS


def _check_repeat(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if not (isinstance(seq, str | bytes | list | tuple) and isinstance(count, int)):
            continue
        if count * max(len(seq), 1) > MAX_REPEAT:
            raise SecurityError(
                f"repeating text or lists more than {MAX_REPEAT} times is not allowed"
            )
        require_estimate(count * text_size(seq), "'*'")


def check_percent(template: str | bytes, values: Any) -> None:
    """``template % values``: no width over :data:`MAX_WIDTH`, and a result that fits."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    fields = [f for f in _PERCENT_FIELD.finditer(text) if not f.group().endswith("%")]  # not %%
    if isinstance(values, Mapping):
        arguments: Iterable[Any] = values.values()
    elif isinstance(values, tuple):
        arguments = values
    else:
        arguments = (values,)
    widths = [tuple(n for n in f.groups() if n) for f in fields]
    _check_fields(len(text), widths, arguments, "'%' formatting")


def check_format(template: str, args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    """``template.format(*args, **kwargs)``: the same limits as ``%``."""
    widths: list[tuple[str, ...]] = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if spec and "{" in spec:
            raise SecurityError("nested format fields are not allowed in a template")
        widths.append(tuple(re.findall(r"\d+", spec or "")))
    _check_fields(len(template), widths, chain(args, kwargs.values()), "format()")


def _check_fields(
    length: int, widths: list[tuple[str, ...]], arguments: Iterable[Any], what: str
) -> None:
    numbers = [n for field in widths for n in field]
    if any(n == "*" or int(n) > MAX_WIDTH for n in numbers):
        raise SecurityError(f"format widths above {MAX_WIDTH} are not allowed in a template")
    # Each field may print any argument (``{0}{0}{0}``), at its width at most.
    longest = max((text_size(a) for a in arguments), default=0)
    widest = sum(max((int(n) for n in field), default=0) for field in widths)
    require_estimate(length + len(widths) * longest + widest, what)
