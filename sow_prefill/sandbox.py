"""Rendering author-written templates safely: Jinja2's immutable sandbox, with its work bounded.

The sandbox stops templates from reaching Python internals (``__globals__``, ``os``); on top of
it, the work a template does is counted and bounded (see :mod:`sow_prefill.limits`): loop
iterations and calls per rendering, the size of every value it makes, the widths, repetitions
and replacements that multiply text in one step, output size and time. Going past a limit,
like any other template mistake, is a :class:`RenderError` naming the template and its line.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Generator, Mapping
from types import MethodType, TracebackType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from .bounded_calls import (
    SANDBOX_FILTERS,
    bounded_filters,
    call_builtin_method,
    is_builtin_method,
)
from .limits import (
    MAX_OUTPUT_CHARS,
    MAX_TEXT_CHARS,
    Budget,
    LimitReached,
    TooSlow,
    check_binop,
    check_format,
    current,
    require_size,
    start,
)
from .markdown_text import escape
from .template_code import BoundedCodeGenerator

#: Built-ins that turn a few characters into megabytes in one step, before any limit can look
#: (``lipsum(n=100000)`` takes seconds). A SoW needs none of them.
REMOVED_GLOBALS = ("lipsum",)

__all__ = ["MAX_OUTPUT_CHARS", "BoundedEnvironment", "RenderError", "make_environment", "render"]


class RenderError(Exception):
    """A template failed: a mistake of its author, or a limit reached.

    ``template`` names it (file and section), ``line`` is the line it failed on (in the file,
    when the caller said where the section starts; ``None`` when unknown) and ``problem`` says
    what went wrong.
    """

    def __init__(self, template: str, problem: str, line: int | None = None) -> None:
        where = template if line is None else f"{template}, line {line}"
        super().__init__(f"{where}: {problem}")
        self.template, self.problem, self.line = template, problem, line


class TrustedFunctions:
    """Base of our own objects whose public methods templates call (the pre-fill's recorder).

    Calling such a method skips the sandbox's per-call checks (``is_safe_callable``, Jinja's
    ``pass_context`` lookup, the work budget): they are ours, take no context, are known safe and
    do bounded work. Everything else stays as guarded as before: attribute access on them
    (``answer.__self__``) is still checked, and any other callable goes through the full sandbox.
    """

    __slots__ = ()


class OpaqueNamespace(Namespace):
    """``namespace()`` whose printed form does not show what it holds.

    A namespace is the one thing a template can change after making it (``{% set ns.x = v %}``),
    so a size measured when it was made would not hold; printing as a short name, it never
    prints its contents, and measuring it (:func:`~sow_prefill.limits.text_size`) stays right.
    """

    def __repr__(self) -> str:
        return "<namespace>"


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with every template's work counted and bounded."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})
    code_generator_class = BoundedCodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in REMOVED_GLOBALS:
            self.globals.pop(name, None)
        self.globals["namespace"] = OpaqueNamespace
        self.filters = {**bounded_filters(self.filters), **SANDBOX_FILTERS}

    def call(
        __self,
        __context: Any,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """A call from a template: our recorder's methods directly, anything else counted,
        checked and measured."""
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
        current().call()
        if is_builtin_method(__obj):
            # Jinja's Context.call would drop these (they are for pass_context functions).
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return call_builtin_method(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        require_size(result, f"calling {getattr(__obj, '__name__', 'a function')}")
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``'{:>9}'.format(x)``: widths and the result's size are checked before Python
        formats it."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__
        is_map = value.__name__ == "format_map"

        @functools.wraps(wrapped)
        def checked(*args: Any, **kwargs: Any) -> str:
            mapping = args[0] if is_map and args and isinstance(args[0], Mapping) else kwargs
            check_format(template, () if is_map else args, mapping)
            return wrapped(*args, **kwargs)

        return checked

    @staticmethod
    def concat(parts: Any) -> str:
        """Joins what a macro, ``{% set %}`` block or ``{% filter %}`` block printed: within
        the limit, since that output is not counted as it is made."""
        pieces: list[str] = []
        size = 0
        for piece in parts:
            size += len(piece)
            if size > MAX_TEXT_CHARS:
                raise LimitReached(
                    f"a block, macro or set would make text longer than {MAX_TEXT_CHARS} characters"
                )
            pieces.append(piece)
        return "".join(pieces)


@functools.cache
def make_environment() -> BoundedEnvironment:
    """The environment SoW templates render in: one, shared, never changed once made.

    Shared so that each template source is compiled once (see :func:`compiled`), not on every
    pre-fill. To render with other settings, build a :class:`BoundedEnvironment` of your own.
    """
    return BoundedEnvironment(
        autoescape=False,  # the output is Markdown; `finalize` escapes every value for Markdown
        undefined=StrictUndefined,
        finalize=escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


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


def render(
    env: BoundedEnvironment,
    source: str,
    context: Mapping[str, Any],
    name: str = "template",
    first_line: int = 1,
) -> str:
    """Render ``source`` with ``context`` within the limits; errors name ``name`` and the line
    (counted from ``first_line``, the line of the file where ``source`` starts)."""
    budget = Budget()
    end = start(budget)
    template: Template | None = None
    try:
        template = compiled(env, source)
        return _render(env, template, context, budget)
    except Exception as exc:
        problem = _problem(exc)
        if problem is None:
            raise
        line = _line(exc, template)
        raise RenderError(name, problem, None if line is None else first_line + line - 1) from None
    finally:
        end()


def _render(
    env: BoundedEnvironment, template: Template, context: Mapping[str, Any], budget: Budget
) -> str:
    # What ``template.generate(variables)`` does, less its costliest step: copying the
    # template's globals (a ChainMap, slow to iterate) into every new context, twice. A
    # template from ``compiled`` has no globals of its own: the environment's are all of them.
    variables = {**env.globals, **context, "range": budget.range}
    ctx = env.context_class(env, variables, template.name, template.blocks)
    chunks: list[str] = []
    size = 0
    generator = _generate(env, template, ctx)
    for chunk in generator:
        size += len(chunk)
        # A limit reached between two chunks is raised inside the template's generator, so
        # that its traceback, too, points at the template line it stopped on.
        if size > MAX_OUTPUT_CHARS:
            generator.throw(_OutputTooLarge(f"output is larger than {MAX_OUTPUT_CHARS} characters"))
        try:
            budget.check_time()
        except TooSlow as exc:
            generator.throw(exc)
        chunks.append(chunk)
    return "".join(chunks)


class _OutputTooLarge(Exception):
    pass


def _generate(
    env: BoundedEnvironment, template: Template, ctx: Context
) -> Generator[str, None, None]:
    """``Template.generate`` given its context: errors get Jinja's traceback (template lines)."""
    try:
        yield from template.root_render_func(ctx)
    except Exception:
        yield env.handle_exception()


#: Errors a template's own mistake raises (``{{ 1 / 0 }}``, ``{{ answer() }}``, and Jinja's
#: filters check some arguments with ``assert``).
MISTAKES = (ArithmeticError, AssertionError, AttributeError, LookupError, TypeError, ValueError)


def _problem(exc: BaseException) -> str | None:
    """What a template error says, for a person; ``None`` for errors that are not the
    template's (they propagate as they are)."""
    if isinstance(exc, TooSlow | _OutputTooLarge):
        return str(exc)
    if isinstance(exc, SecurityError):
        return f"not allowed: {exc}"
    if isinstance(exc, TemplateError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "nesting too deep"
    if isinstance(exc, MISTAKES):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError):  # a limit we did not foresee: still the template's
        return "the template needs more memory than a rendering may use"
    return None


def _line(exc: BaseException, template: Template | None) -> int | None:
    """The template line ``exc`` happened on: Jinja rewrites tracebacks to show it."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    return _template_line(exc.__traceback__)


def _template_line(traceback: TracebackType | None) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
