"""JSON-Logic written for people: ``deployment includes Medical and fabric is Cisco ACI``.

Authors read conditions in ``questionnaire graph`` and in the preview's "why is this hidden":
the question ids they wrote, each option by its label (given the definition's :class:`Words`),
and operators as words. No shape falls back to JSON: an operator without words of its own is
written as a call, ``max(a, b)``, its arguments described the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Definition, RepeatQuestion

_INFIX = {
    "==": "is", "===": "is", "!=": "is not", "!==": "is not",
    ">": ">", ">=": "≥", "<": "<", "<=": "≤",
    "+": "+", "-": "-", "*": "*", "/": "÷", "%": "mod",
}  # fmt: skip
_EQUALITY = frozenset({"==", "===", "!=", "!=="})
_OVER_RECORDS = {"some": "some", "all": "all", "none": "no"}
#: Where a condition inside a repeating group reads the record's own fields.
_RECORD_PREFIXES = ("item.", "current.")


@dataclass(frozen=True)
class Words:
    """What a definition calls its options: each question's option labels by value."""

    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, definition: Definition) -> Words:
        choices: dict[str, dict[str, str]] = {}
        for page in definition.pages:
            for question in page.questions:
                _add(choices, question.id, question)
                if isinstance(question, RepeatQuestion):  # record fields, by their own id
                    for item in question.questions:
                        _add(choices, item.id, item)
        return cls(choices)

    def options(self, name: str) -> Mapping[str, str]:
        for prefix in _RECORD_PREFIXES:
            name = name.removeprefix(prefix)
        return self.choices.get(name, {})


def _add(choices: dict[str, dict[str, str]], key: str, question: Any) -> None:
    options = getattr(question, "choices", ())
    if options and key not in choices:  # a top-level question wins over a record's field
        choices[key] = {str(c.value): str(c.label) for c in options}


NO_WORDS = Words()


def describe(rule: Any, words: Words = NO_WORDS) -> str:
    """A readable rendering of ``rule``, options by their labels where ``words`` knows them."""
    return _Describer(words).text(rule)


class _Describer:
    def __init__(self, words: Words) -> None:
        self.words = words

    def text(self, rule: Any, options: Mapping[str, str] | None = None) -> str:
        """``rule`` in words; a string that is one of ``options`` is written as its label."""
        if isinstance(rule, bool):
            return "yes" if rule else "no"
        if isinstance(rule, str):
            return options[rule] if options and rule in options else f"'{rule}'"
        if rule is None:
            return "nothing"
        if isinstance(rule, int | float):
            return str(rule)
        if isinstance(rule, list):
            return "[" + ", ".join(self.text(item, options) for item in rule) + "]"
        if isinstance(rule, dict) and len(rule) == 1:
            ((operator, args),) = rule.items()
            return self.operation(str(operator), args if isinstance(args, list) else [args])
        if isinstance(rule, dict):
            pairs = (f"{key}: {self.text(value)}" for key, value in rule.items())
            return "{" + ", ".join(pairs) + "}"
        return str(rule)

    def operation(self, operator: str, args: list[Any]) -> str:
        if operator in ("var", "val") and args:
            return _name(args[0]) or self.call(operator, args)
        if operator in _EQUALITY and len(args) == 2:
            return self.equality(operator, args[0], args[1])
        if operator in _INFIX and len(args) == 2:
            options = self.options_of(*args)
            left, right = (self.grouped(a, options) for a in args)
            return f"{left} {_INFIX[operator]} {right}"
        if operator in ("and", "or") and args:
            return f" {operator} ".join(self.grouped(a, joined=True) for a in args)
        if operator == "!" and len(args) == 1:
            return f"not {self.grouped(args[0])}"
        if operator == "!!" and len(args) == 1:
            return self.text(args[0])
        if operator == "in" and len(args) == 2:
            return self.membership(args[0], args[1])
        if operator in ("missing", "missing_some"):
            return self.missing(operator, args)
        if operator in _OVER_RECORDS and len(args) == 2:
            condition = self.grouped(args[1], joined=True)
            return f"{_OVER_RECORDS[operator]} {self.text(args[0])} with {condition}"
        if operator in ("if", "?:") and len(args) == 3:
            condition, then, otherwise = (self.grouped(a) for a in args)
            return f"(if {condition} then {then} else {otherwise})"
        return self.call(operator, args)

    def equality(self, operator: str, left: Any, right: Any) -> str:
        negated = operator.startswith("!")
        if right is None or left is None:  # `x == null`: whether it is answered
            subject = self.grouped(left if right is None else right)
            return f"{subject} is {'answered' if negated else 'unanswered'}"
        options = self.options_of(left, right)
        verb = "is not" if negated else "is"
        return f"{self.grouped(left, options)} {verb} {self.grouped(right, options)}"

    def membership(self, needle: Any, haystack: Any) -> str:
        if isinstance(haystack, list):  # `x in [a, b]`: one of the options listed
            options = self.options_of(needle, None)
            listed = [self.text(item, options) for item in haystack]
            return f"{self.grouped(needle)} is {_either(listed)}"
        options = self.options_of(haystack, None)  # `a in x`: x is a multiple choice (or text)
        return f"{self.grouped(haystack)} includes {self.grouped(needle, options)}"

    def missing(self, operator: str, args: list[Any]) -> str:
        if operator == "missing_some" and len(args) == 2 and isinstance(args[1], list):
            listed = ", ".join(self.plain(n) for n in args[1])
            return f"fewer than {self.text(args[0])} of {listed} answered"
        names = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return " or ".join(f"{self.plain(n)} unanswered" for n in names)

    def call(self, operator: str, args: Iterable[Any]) -> str:
        return f"{operator}(" + ", ".join(self.text(a) for a in args) + ")"

    def plain(self, rule: Any) -> str:
        """A question named in ``missing``: its id without quotes."""
        return rule if isinstance(rule, str) else self.text(rule)

    def options_of(self, *sides: Any) -> Mapping[str, str] | None:
        """The option labels of the question one side of a comparison reads."""
        for side in sides:
            name = _var(side)
            if name is not None and self.words.options(name):
                return self.words.options(name)
        return None

    def grouped(
        self, rule: Any, options: Mapping[str, str] | None = None, *, joined: bool = False
    ) -> str:
        """``rule`` in words, in brackets where its own ``and``/``or`` would mix with the
        words around it (``joined``: between an ``and``/``or``'s operands, where a list of
        options, ``A, B or C``, would too)."""
        text = self.text(rule, options)
        operator = next(iter(rule), None) if isinstance(rule, dict) and len(rule) == 1 else None
        mixes = operator in _OVER_RECORDS or _lists_options(rule)
        if operator in ("and", "or") or (joined and mixes):
            return f"({text})"
        return text


def _lists_options(rule: Any) -> bool:
    """Whether ``rule`` is ``x in [a, b, ...]``, written ``x is A or B``."""
    args = rule.get("in") if isinstance(rule, dict) else None
    return (
        isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) and len(args[1]) > 1
    )


def _var(rule: Any) -> str | None:
    """The name a ``{"var": ...}`` reads, if ``rule`` is one."""
    if isinstance(rule, dict) and len(rule) == 1:
        ((operator, args),) = rule.items()
        if operator in ("var", "val"):
            return _name(args[0] if isinstance(args, list) and args else args)
    return None


def _name(arg: Any) -> str | None:
    if isinstance(arg, str):
        return arg or "the record"
    if isinstance(arg, list) and arg and all(isinstance(part, str) for part in arg):
        return ".".join(arg)
    return None


def _either(items: list[str]) -> str:
    if len(items) <= 1:
        return items[0] if items else "nothing listed"
    return ", ".join(items[:-1]) + " or " + items[-1]
