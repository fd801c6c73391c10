"""A repeating group's extras on its page and on the check-answers page: the computed fields of
each record, and a counted group's records beyond its count, flagged for removal.

A counted group (``count``) offers exactly as many records as the count answer says: no link to
add one, and none to remove one it asks for. When the count is lowered, the records typed beyond
it are not deleted behind the respondent's back: each is listed, flagged "To remove", with its
answers and a Remove link, and the page stays incomplete until they are removed or the count is
raised again. Markup as in :mod:`.fields`: constant, with every value escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import escape

from questionnaire.engine import ShownQuestion
from questionnaire.engine.answers import display
from questionnaire.engine.counted import is_counted, surplus_message
from questionnaire.engine.flow_state import ShownNote
from questionnaire.engine.model import RepeatQuestion
from questionnaire.engine.record_computed import labels

from .customer_urls import RecordUrls

FLAG = '<strong class="tag tag--red">To remove</strong>'


def counted(shown: ShownQuestion) -> bool:
    return is_counted(shown.question)


def computed_lines(shown: ShownQuestion, index: int) -> str:
    """The record's computed fields, as lines to follow its answers (``<br>Total: 12``)."""
    named = labels(shown.question)
    records = shown.value if isinstance(shown.value, list) else []
    if not named or index >= len(records) or not isinstance(records[index], dict):
        return ""
    record = records[index]
    return "".join(
        f"<br>{escape(label)}: {escape(_plain(record[key]))}"
        for key, label in named.items()
        if record.get(key) is not None
    )


def surplus_notice(shown: ShownQuestion) -> str:
    """A warning above the records while some are beyond the count: what to remove."""
    if not shown.surplus or not isinstance(shown.question, RepeatQuestion):
        return ""
    from .fields import note  # this module builds on fields

    message = surplus_message(shown.question, len(shown.records), shown.surplus)
    return note(ShownNote(message, "warning"))


def surplus_rows(shown: ShownQuestion, urls: RecordUrls) -> str:
    """A counted group's records beyond its count, as summary-list rows on its page."""
    item = _item(shown)
    rows = []
    for index, record in shown.surplus:
        hidden = f'<span class="visually-hidden"> {escape(item.lower())} {index + 1}</span>'
        rows.append(
            f'<div class="summary-list__row">\n<dt class="summary-list__key">{escape(item)} '
            f'{index + 1} {FLAG}</dt>\n<dd class="summary-list__value">{_answers(shown, record)}'
            f'</dd>\n<dd class="summary-list__actions">\n<a class="link" '
            f'href="{escape(urls.remove(index))}">Remove{hidden}</a>\n</dd>\n</div>'
        )
    return "\n".join(rows)


def surplus_summary(shown: ShownQuestion, page_url: str | None) -> str:
    """The same records on the check-answers page, each with a Remove link (when changeable)."""
    if not shown.surplus:
        return ""
    item = _item(shown)
    urls = RecordUrls(f"{page_url}/{shown.id}/") if page_url is not None else None
    parts = []
    for index, record in shown.surplus:
        link = ""
        if urls is not None:
            link = (
                f'<br>\n<a class="link" href="{escape(urls.remove(index))}">Remove<span '
                f'class="visually-hidden"> {escape(item.lower())} {index + 1}</span></a>'
            )
        parts.append(
            f'<p class="body"><strong>{escape(item)} {index + 1}</strong> {FLAG}<br>\n'
            f"{_answers(shown, record)}{link}</p>"
        )
    return "\n" + "\n".join(parts)


def _item(shown: ShownQuestion) -> str:
    return str(getattr(shown.question, "item_label", "Item"))


def _answers(shown: ShownQuestion, record: Mapping[str, object]) -> str:
    """A surplus record's answers as typed, one a line (it is not walked: none is hidden)."""
    assert isinstance(shown.question, RepeatQuestion)
    lines = [
        f"{escape(q.label)}{'' if q.label.endswith('?') else ':'} {escape(display(q, record[q.id]))}"
        for q in shown.question.questions
        if record.get(q.id) not in (None, "", [])
    ]
    return "<br>".join(lines)


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def may_remove(shown: ShownQuestion, index: int) -> bool:
    """Whether record ``index`` has a Remove link: in a counted group, only a flagged one."""
    return not counted(shown) or index in {i for i, _ in shown.surplus}
