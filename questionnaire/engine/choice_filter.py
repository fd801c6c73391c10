"""``choice_filter`` (XLSForm's): options offered by one rule weighed per option.

A city question says ``choice_filter: {"==": [{"var": "option.country"}, {"var": "country"}]}``
and each city option carries ``country: uk``: the flow offers only the cities whose filter holds,
without a ``show_if`` on each. An option whose filter fails is treated exactly like one whose
``show_if`` fails: not shown, a stored answer naming it is dropped ("no longer offered"), and a
posted one is refused (:func:`refused`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from . import option_keys
from .compiled import CompiledQuestion
from .flow_state import FlowResult, PageState
from .model import Choice
from .types import JSON

#: The name the filter reads the option under: ``{"var": "option.country"}``.
OPTION = "option"


def offered(cq: CompiledQuestion, context: dict[str, JSON]) -> tuple[Choice, ...]:
    """The options of ``cq`` offered for ``context``: their ``show_if`` and the question's
    ``choice_filter`` hold (the option is put in the context as ``option`` while weighed)."""
    shown = tuple(c.choice for c in cq.choices if c.show_if is None or c.show_if.holds(context))
    rule = cq.choice_filter
    if rule is None:
        return shown
    kept = []
    try:
        for choice in shown:
            context[OPTION] = option_keys.data(choice)
            if rule.holds(context):
                kept.append(choice)
    finally:
        context.pop(OPTION, None)
    return tuple(kept)


def refused(state: PageState, posted: Mapping[str, JSON]) -> dict[str, str]:
    """For each shown choice question whose posted answer names an option it does not offer
    now (its filter or ``show_if`` fails), the message saying so."""
    errors: dict[str, str] = {}
    for shown in state.questions:
        if not shown.choices and not getattr(shown.question, "choices", ()):
            continue
        picked = posted.get(shown.id)
        values = picked if isinstance(picked, list) else [] if picked is None else [picked]
        offered_values = {c.value for c in shown.choices}
        if any(v not in offered_values for v in values):
            errors[shown.id] = _message(shown.label, bool(shown.choices))
    return errors


def options_problems(flow: FlowResult, expected: Mapping[str, list[str]]) -> Iterator[str]:
    """A path test's ``options``: what each named choice question offers on the path."""
    shown = {q.id: q for page in flow.path for q in flow.pages[page].questions}
    for name, values in expected.items():
        question = shown.get(name)
        if question is None:
            yield f"options: '{name}' is not shown on the path"
        elif [c.value for c in question.choices] != values:
            yield f"options: '{name}' expected {values}, got {[c.value for c in question.choices]}"


def _message(label: str, any_offered: bool) -> str:
    if not any_offered:
        return f"There are no options for ‘{label}’ with your earlier answers: change them first"  # noqa: RUF001
    return f"Select one of the options offered for ‘{label}’"  # noqa: RUF001


__all__ = ["OPTION", "offered", "options_problems", "refused"]
