"""Rendering author-written templates safely: Jinja2's immutable sandbox, bounded in time and size.

The sandbox stops templates from reaching Python internals (``__globals__``, ``os``), but it
does not bound the work a template does: ``{{ 'a' * 10**8 }}`` would build 100 MB. So large
repetitions and powers are refused, output is produced in chunks and counted, and rendering
stops when it runs too long.
"""

from __future__ import annotations

import functools
import re
import string
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from types import MethodType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .markdown_text import escape

MAX_OUTPUT_CHARS = 500_000
MAX_SECONDS = 2.0
MAX_REPEAT = 10_000
MAX_POWER = 64
MAX_RANGE_ITEMS = 10_000
MAX_INT_BITS = 4_096
#: Built-ins that turn a few characters into megabytes in one step, before any limit can look:
#: ``lipsum(n=100000)`` takes seconds, ``'a'|center(10**9)`` a gigabyte. A SoW needs none of them.
REMOVED_GLOBALS = ("lipsum",)
REMOVED_FILTERS = ("center", "indent", "format", "batch", "slice")
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")


class RenderError(Exception):
    """A template failed: a mistake of its author, or a limit reached."""


class TrustedFunctions:
    """Base of our own objects whose public methods templates call (the pre-fill's recorder).

    Calling such a method skips the sandbox's per-call checks (``is_safe_callable``, Jinja's
    ``pass_context`` lookup): they are ours, take no context and are known safe. Everything else
    stays as guarded as before: attribute access on them (``answer.__self__``) is still checked,
    and any other callable goes through the full sandbox.
    """

    __slots__ = ()


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call(
        __self,
        __context: Any,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """A call from a template: our recorder's methods directly, anything else sandboxed."""
        if type(__obj) is MethodType and isinstance(__obj.__self__, TrustedFunctions):
            if kwargs:
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja's own Context.call does
                return __self.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise SecurityError(f"power above {MAX_POWER} is not allowed in a template")
        if operator == "*" and _repeats(left, right):
            raise SecurityError(
                f"repeating text or lists more than {MAX_REPEAT} times is not allowed"
            )
        if operator in ("*", "**") and _huge_number(operator, left, right):
            raise SecurityError(f"numbers above {MAX_INT_BITS} bits are not allowed in a template")
        if operator == "%" and isinstance(left, str) and _too_wide(_PERCENT_FIELD.findall(left)):
            raise SecurityError(f"format widths above {MAX_REPEAT} are not allowed in a template")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>9}'.format(x)``: the widths are checked before Python allocates them."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        for _, _, spec, _ in string.Formatter().parse(value.__self__):
            if spec and ("{" in spec or _too_wide([tuple(re.findall(r"\d+", spec))])):
                raise SecurityError(
                    f"format widths above {MAX_REPEAT} are not allowed in a template"
                )
        return wrapped


def _huge_number(operator: str, left: Any, right: Any) -> bool:
    if not (isinstance(left, int) and isinstance(right, int)):
        return False
    if operator == "**":
        return right > 0 and abs(left).bit_length() * right > MAX_INT_BITS
    return left.bit_length() + right.bit_length() > MAX_INT_BITS


def _too_wide(fields: list[tuple[str, ...]]) -> bool:
    numbers = [n for field in fields for n in field if n]
    return any(n == "*" or int(n) > MAX_REPEAT for n in numbers)


def _repeats(left: Any, right: Any) -> bool:
    for seq, count in ((left, right), (right, left)):
        if (
            isinstance(seq, str | list | tuple)
            and isinstance(count, int)
            and count * max(len(seq), 1) > MAX_REPEAT
        ):
            return True
    return False


@functools.cache
def make_environment() -> BoundedEnvironment:
    """The environment SoW templates render in: one, shared, never changed once made.

    Shared so that each template source is compiled once (see :func:`compiled`), not on every
    pre-fill. To render with other settings, build a :class:`BoundedEnvironment` of your own.
    """
    env = BoundedEnvironment(
        autoescape=False,  # the output is Markdown; `finalize` escapes every value for Markdown
        undefined=StrictUndefined,
        finalize=escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name in REMOVED_GLOBALS:
        env.globals.pop(name, None)
    for name in REMOVED_FILTERS:
        env.filters.pop(name, None)
    return env


#: Compiled templates, per environment (dropped with it) and source.
_COMPILED: weakref.WeakKeyDictionary[BoundedEnvironment, dict[str, Template]] = (
    weakref.WeakKeyDictionary()
)
MAX_COMPILED = 512  # sources per environment; past it the cache starts again


def compiled(env: BoundedEnvironment, source: str) -> Template:
    """``env.from_string(source)``, compiled once: compiling costs far more than rendering."""
    cache = _COMPILED.setdefault(env, {})
    template = cache.get(source)
    if template is None:
        if len(cache) >= MAX_COMPILED:
            cache.clear()
        template = cache[source] = env.from_string(source)
    return template


def _budgeted_range() -> Callable[..., range]:
    """``range`` for one rendering, with one budget for all its loops (nested loops included)."""
    remaining = [MAX_RANGE_ITEMS]

    def bounded_range(*args: int) -> range:
        numbers = range(*args)
        remaining[0] -= len(numbers)
        if remaining[0] < 0:
            raise SecurityError(f"loops over more than {MAX_RANGE_ITEMS} numbers are not allowed")
        return numbers

    return bounded_range


def _generate(env: BoundedEnvironment, template: Template, ctx: Context) -> Iterator[str]:
    """``Template.generate`` given its context: errors get Jinja's traceback (template lines)."""
    try:
        yield from template.root_render_func(ctx)
    except Exception:
        yield env.handle_exception()


def render(
    env: BoundedEnvironment, source: str, context: Mapping[str, Any], name: str = "template"
) -> str:
    """Render ``source`` with ``context`` within the time and size limits."""
    try:
        template = compiled(env, source)
        started = time.monotonic()
        chunks: list[str] = []
        size = 0
        # What ``template.generate(variables)`` does, less its costliest step: copying the
        # template's globals (a ChainMap, slow to iterate) into every new context, twice. A
        # template from ``compiled`` has no globals of its own: the environment's are all of them.
        variables = {**env.globals, **context, "range": _budgeted_range()}
        ctx = env.context_class(env, variables, template.name, template.blocks)
        for chunk in _generate(env, template, ctx):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise RenderError(f"{name}: output is larger than {MAX_OUTPUT_CHARS} characters")
            if time.monotonic() - started > MAX_SECONDS:
                raise RenderError(f"{name}: rendering took longer than {MAX_SECONDS} seconds")
            chunks.append(chunk)
        return "".join(chunks)
    except SecurityError as exc:
        raise RenderError(f"{name}: not allowed: {exc}") from None
    except TemplateError as exc:
        raise RenderError(f"{name}: {exc}") from None
    except RecursionError:
        raise RenderError(f"{name}: nesting too deep") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
        # A template's own mistake, e.g. `{{ 1 / 0 }}` or `{{ answer() }}`: the author's to fix.
        raise RenderError(f"{name}: {type(exc).__name__}: {exc}") from None


def calls_with_constant_first_argument(
    env: BoundedEnvironment, source: str, functions: frozenset[str]
) -> list[tuple[str, str, int]]:
    """``(function, argument, line)`` for each ``answer("x")``-style call in ``source`` (for lint)."""
    found: list[tuple[str, str, int]] = []
    for call in env.parse(source).find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name) and target.name in functions and call.args:
            first = call.args[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str):
                found.append((target.name, first.value, call.lineno))
    return found


Callback = Callable[..., Any]
