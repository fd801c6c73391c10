"""Groups whose number of records comes from an earlier answer (``count: {"var": "site_count"}``).

"How many sites?" then one record each: the respondent fills exactly that many records and adds
or removes none of them. When the count answer changes, the records are never silently thrown
away: missing ones appear empty (their required fields are missing), and records beyond the
count are *surplus*: left out of the answers the flow gives, but kept where they are stored,
shown flagged for removal, and holding the page incomplete until the respondent removes them or
changes the count back. So nothing typed is lost without the respondent seeing it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

from .compiled import CompiledQuestion
from .diagnostics import Diagnostic
from .logic import is_unanswered, variables_read
from .model import Definition, IntegerQuestion, Question, RepeatQuestion
from .source import Path, Source
from .types import JSON

#: A record beyond the count: its index in the stored list, and what it holds.
Surplus = tuple[int, Mapping[str, JSON]]


def record_count(cq: CompiledQuestion, context: Mapping[str, JSON]) -> int | None:
    """How many records ``cq`` has now (None: its records are not counted). An unanswered or
    unusable count gives none; the count is held within ``0..max_items``."""
    if cq.count is None or not isinstance(cq.question, RepeatQuestion):
        return None
    value = cq.count.evaluate(context)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return max(0, min(int(value), cq.question.max_items))


def fit(records: Sequence[JSON], count: int) -> tuple[list[JSON], list[Surplus]]:
    """Exactly ``count`` records (empty ones added), and the typed records beyond them."""
    listed = [r if isinstance(r, dict) else {} for r in records]
    kept: list[JSON] = [*listed[:count], *({} for _ in range(count - len(listed)))]
    surplus: list[Surplus] = [
        (index, record)
        for index, record in enumerate(listed[count:], count)
        if any(not is_unanswered(value) for value in record.values())
    ]
    return kept, surplus


def surplus_message(group: RepeatQuestion, count: int, surplus: Sequence[Surplus]) -> str:
    """The page's problem while surplus records are left: what to remove, by number."""
    item = group.item_label.lower()
    numbers = " and ".join(str(index + 1) for index, _ in surplus)
    which = f"{item} {numbers}" if len(surplus) == 1 else f"{item}s {numbers}"
    return (
        f"You said there {'is' if count == 1 else 'are'} {count} {item}"
        f"{'' if count == 1 else 's'}: remove {which}, or change the number"
    )


def is_counted(question: Question) -> bool:
    return isinstance(question, RepeatQuestion) and question.count is not None


def may_remove(question: Question, index: int, stored: Sequence[JSON], count: int | None) -> bool:
    """Whether record ``index`` may be removed: in a counted group, only a surplus one."""
    if not is_counted(question):
        return True
    return count is not None and count <= index < len(stored)


# -- lint ----------------------------------------------------------------------------------------


def check_counts(definition: Definition, source: Source) -> Iterator[Diagnostic]:
    """A count names an earlier whole-number answer bounded by the group's ``max_items``, and
    is not combined with ``records_from`` or ``min_items``. (That the answer comes earlier is
    checked with every other rule, in :mod:`.check_rules`.)"""
    questions = {q.id: q for page in definition.pages for q in page.questions}
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            path: Path = ("pages", p, "questions", q)
            if is_counted(question):
                assert isinstance(question, RepeatQuestion)
                yield from _group(question, questions, path, source)
            for i, item in enumerate(getattr(question, "questions", ())):
                if is_counted(item):  # its records are added one by one on the record's page
                    yield source.diagnostic(
                        (*path, "questions", i, "count"),
                        f"question '{question.id}.{item.id}': count is allowed on a top-level "
                        "group only, not on a group inside a record: remove it",
                    )


def _group(
    group: RepeatQuestion, questions: Mapping[str, Question], path: Path, source: Source
) -> Iterator[Diagnostic]:
    at = (*path, "count")
    if group.records_from is not None:
        yield source.diagnostic(
            at,
            f"question '{group.id}': count does not apply to records taken from "
            f"'{group.records_from}' (the engagement gives them): remove one of the two",
        )
        return
    if "min_items" in group.model_fields_set:
        yield source.diagnostic(
            (*path, "min_items"),
            f"question '{group.id}': min_items does not apply when count gives the number of "
            "records: remove it",
        )
    read = [questions[name] for name in _heads(group.count) if name in questions]
    integers = [question for question in read if isinstance(question, IntegerQuestion)]
    if not integers:
        named = ", ".join(f"'{q.id}' ({q.type})" for q in read) or "no question"
        yield source.diagnostic(
            at,
            f"question '{group.id}': count must read an earlier whole-number answer (an "
            f"integer question such as 'How many sites?'); it reads {named}",
        )
        return
    if _is_plain_var(group.count):
        yield from _bounded(group, integers[0], at, source)


def _bounded(
    group: RepeatQuestion, counter: IntegerQuestion, at: Path, source: Source
) -> Iterator[Diagnostic]:
    if counter.max is None or counter.max > group.max_items:
        said = "has no max" if counter.max is None else f"allows up to {counter.max}"
        yield source.diagnostic(
            at,
            f"question '{group.id}': its count '{counter.id}' {said}, but '{group.id}' holds "
            f"at most {group.max_items} records (max_items): give '{counter.id}' "
            f"max: {group.max_items} or less",
        )
    if counter.min is not None and counter.min < 0:
        yield source.diagnostic(
            at,
            f"question '{group.id}': its count '{counter.id}' may be negative (min "
            f"{counter.min}): give it min: 0 or more",
        )


def _heads(rule: JSON) -> list[str]:
    return list(dict.fromkeys(name.partition(".")[0] for name, _ in variables_read(rule)))


def _is_plain_var(rule: JSON) -> bool:
    return isinstance(rule, dict) and list(rule) == ["var"]
