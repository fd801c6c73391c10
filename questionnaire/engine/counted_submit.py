"""Changing a counted group's records (see :mod:`.counted`): none added, only surplus removed.

The count is the one the flow works out for the stored answers, so a forged or stale URL can
neither add a record beyond it nor remove one the count asks for.
"""

from __future__ import annotations

from collections.abc import Mapping

from .compiled import CompiledQuestion, Questionnaire
from .counted import is_counted
from .flow import evaluate
from .flow_state import ShownQuestion
from .types import JSON


def current_count(
    questionnaire: Questionnaire, answers: Mapping[str, JSON], group: CompiledQuestion
) -> int | None:
    """How many records the counted ``group`` has for ``answers`` (None: not shown)."""
    shown = _shown(questionnaire, answers, group.id)
    return None if shown is None else len(shown.records)


def counted_records(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    group: CompiledQuestion,
    index: int | None,
    records: list[JSON],
) -> list[JSON]:
    """The stored records to change record ``index`` in: for a counted group, padded with
    empty records up to it. Adding (``index`` None) or a record beyond the count raises
    :class:`~.submit.RecordNotFound`."""
    if not is_counted(group.question):
        return records
    from .submit import RecordNotFound

    count = current_count(questionnaire, answers, group) or 0
    if index is None or index >= count:
        raise RecordNotFound(f"{group.id}[{index}]")
    return [*records, *({} for _ in range(index + 1 - len(records)))]


def removable(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    group: CompiledQuestion,
    index: int,
) -> bool:
    """Whether record ``index`` of a counted group may be removed: only one beyond the count."""
    stored = answers.get(group.id)
    count = current_count(questionnaire, answers, group)
    return count is not None and isinstance(stored, list) and count <= index < len(stored)


def _shown(
    questionnaire: Questionnaire, answers: Mapping[str, JSON], group_id: str
) -> ShownQuestion | None:
    page = questionnaire.page_of.get(group_id)
    if page is None:
        return None
    flow = evaluate(questionnaire, answers, until=page)
    state = flow.pages.get(page)
    if state is None:
        return None
    return next((q for q in state.questions if q.id == group_id), None)
