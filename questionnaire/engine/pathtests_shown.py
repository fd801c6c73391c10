"""What the respondent sees, by name, for path tests and ``questionnaire simulate``: each shown
question's label after piping, the notes shown, and one record's fields addressed by position.

A name is a top-level question (``site_count``), one record's field (``services[1].port``), or,
for notes, a page id (the page's own notes)::

    expect:
      visible: ["services[1].persistence"]         # shown in the second record
      hidden: ["services[0].persistence"]
      text: {"services[0].name": "Name of the service at Leeds"}   # the label as piped
      notes: {aci_mode: ["Cisco ACI needs ..."], network: []}      # exactly the notes shown
      problems: {"services[1].port": "Enter a port from 1 to 65535"}

A name that names nothing in the definition is an error, as in ``visible`` and ``hidden``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from .compiled import Questionnaire
from .diagnostics import did_you_mean
from .flow_state import FlowResult, ShownQuestion
from .model import RepeatQuestion

#: ``services[1].port``: one record's field, by the record's position (the first is 0).
RECORD_FIELD = re.compile(r"^([a-z][a-z0-9_]*)\[(\d{1,4})\]\.([a-z][a-z0-9_]*)$")


def shown_by_name(flow: FlowResult, pages: Iterable[str] | None = None) -> dict[str, ShownQuestion]:
    """Every question shown on the path (or on ``pages`` of it) by name, each record's fields
    as ``group[i].field``."""
    found: dict[str, ShownQuestion] = {}
    for page in flow.path if pages is None else pages:
        for shown in flow.pages[page].questions:
            found[shown.id] = shown
            for index, record in enumerate(shown.records):
                for field in record:
                    found[f"{shown.id}[{index}].{field.id}"] = field
    return found


def notes_by_name(flow: FlowResult) -> dict[str, list[str]]:
    """The notes shown on the path: under each shown question by name, and each page's own."""
    notes: dict[str, list[str]] = {}
    for page in flow.path:
        notes[page] = [note.text for note in flow.pages[page].notes]
        for name, shown in shown_by_name(flow, (page,)).items():
            if shown.notes:
                notes[name] = [note.text for note in shown.notes]
    return notes


def seen(flow: FlowResult) -> dict[str, object]:
    """What ``questionnaire simulate`` adds: labels as piped, and the notes shown, by name."""
    return {
        "text": {name: shown.label for name, shown in shown_by_name(flow).items()},
        "notes": {name: texts for name, texts in notes_by_name(flow).items() if texts},
    }


def unknown_name(questionnaire: Questionnaire, name: str, pages: bool = False) -> str | None:
    """Why ``name`` names nothing in the definition, or None when it names a question (or,
    with ``pages``, a page)."""
    questions = questionnaire.models
    if name in questions or (pages and name in questionnaire.pages):
        return None
    match = RECORD_FIELD.match(name)
    if match is None:
        known = [*questions, *(questionnaire.pages if pages else ())]
        return f"unknown question '{name}'{did_you_mean(name, known)}"
    group_id, index, field = match.groups()
    group = questions.get(group_id)
    if not isinstance(group, RepeatQuestion):
        return (
            f"'{group_id}' in '{name}' is not a repeating group{did_you_mean(group_id, questions)}"
        )
    fields = [q.id for q in group.questions]
    if field not in fields:
        return (
            f"'{field}' in '{name}' is not a question of '{group_id}' (its questions are "
            f"{', '.join(fields)}){did_you_mean(field, fields)}"
        )
    if group.records_from is None and int(index) >= group.max_items:
        return f"'{group_id}' holds at most {group.max_items} records: '{name}' never exists"
    return None


def check_seen(
    questionnaire: Questionnaire,
    flow: FlowResult,
    text: Mapping[str, str],
    notes: Mapping[str, list[str]],
) -> Iterator[str]:
    """The failures of ``text`` and ``notes`` expectations (unknown names first)."""
    shown = shown_by_name(flow)
    for name, expected in text.items():
        if (problem := unknown_name(questionnaire, name)) is not None:
            yield f"text: {problem}"
        elif name not in shown:
            yield f"text: '{name}' is not shown, so its text cannot be {expected!r}"
        elif shown[name].label != expected:
            yield f"text: '{name}' expected {expected!r}, got {shown[name].label!r}"
    found = notes_by_name(flow)
    for name, texts in notes.items():
        if (problem := unknown_name(questionnaire, name, pages=True)) is not None:
            yield f"notes: {problem}"
        elif name not in shown and name not in flow.path:
            yield f"notes: '{name}' is not shown, so it shows no notes"
        elif found.get(name, []) != texts:
            yield f"notes: '{name}' expected {texts}, got {found.get(name, [])}"


def unknown_names(questionnaire: Questionnaire, names: Mapping[str, object]) -> Iterator[str]:
    """The keys of ``problems`` that name no question (they would fail obscurely)."""
    for name in names:
        head = name if RECORD_FIELD.match(name) else name.partition("[")[0]
        if (problem := unknown_name(questionnaire, head)) is not None:
            yield f"problems: {problem}"
