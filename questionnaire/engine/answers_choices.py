"""Answers picked from options: yes or no, one choice, several choices.

Split from ``answers`` to keep it short: parsing what a form posts, the shape of a stored choice,
and the options' labels that display shows.
"""

from __future__ import annotations

from collections.abc import Iterable

from .answers_common import CHOICE, CHOICES, CONTROL_MULTILINE, YES_NO, Invalid, counted
from .model import ChoiceQuestion, MultiChoiceQuestion, YesNoQuestion
from .types import JSON

_YES = frozenset({"yes", "y", "true", "on"})
_NO = frozenset({"no", "n", "false", "off"})


def parse_yes_no(_question: YesNoQuestion, raw: object) -> JSON | Invalid:
    if isinstance(raw, bool):
        return raw
    word = raw.strip().lower() if isinstance(raw, str) else ""
    if word in _YES or word in _NO:
        return word in _YES
    return Invalid(YES_NO)


def parse_choice(question: ChoiceQuestion, raw: object) -> JSON | Invalid:
    value = raw.strip() if isinstance(raw, str) else None
    return value if value in _values(question) else Invalid(CHOICE)


def parse_multi_choice(question: MultiChoiceQuestion, raw: object) -> JSON | Invalid:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        return Invalid(CHOICES)
    if any(CONTROL_MULTILINE.search(item) for item in items):
        return Invalid(CHOICES)
    chosen = {item.strip() for item in items} - {""}
    if not chosen:
        return None
    if not chosen <= _values(question):
        return Invalid(CHOICES)
    if question.min_selected is not None and len(chosen) < question.min_selected:
        return Invalid(f"Select at least {counted(question.min_selected, 'option')}")
    if question.max_selected is not None and len(chosen) > question.max_selected:
        return Invalid(f"Select no more than {counted(question.max_selected, 'option')}")
    return [choice.value for choice in question.choices if choice.value in chosen]


def _values(question: ChoiceQuestion | MultiChoiceQuestion) -> frozenset[str]:
    # Built per call: questions whose rules hold dicts are not hashable, so they cannot be cached.
    return frozenset(choice.value for choice in question.choices)


def is_choice(question: ChoiceQuestion, value: JSON) -> bool:
    return isinstance(value, str) and any(choice.value == value for choice in question.choices)


def is_choices(question: MultiChoiceQuestion, value: JSON) -> bool:
    if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return False
    return set(value) <= _values(question)


def choice_labels(question: ChoiceQuestion | MultiChoiceQuestion, values: Iterable[str]) -> str:
    labels = {choice.value: choice.label for choice in question.choices}
    return ", ".join(labels.get(value, value) for value in values)
