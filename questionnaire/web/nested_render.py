"""Rendering nested records (a service's real servers): the list on the parent record's page,
and one nested record's own page.

A parent record's form asks its own fields; its nested group is listed after the form, with a
link to add, change or remove each nested record on a page of its own (GOV.UK's "add another"
pattern, no JavaScript), as a page lists a top-level group's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from questionnaire.engine import ShownQuestion

from . import fields
from .customer_urls import CustomerUrls, RecordUrls
from .group_fields import group

if TYPE_CHECKING:
    from questionnaire.services.nested_records import NestedRecordView
    from questionnaire.services.records import RecordView


def own_fields(shown: tuple[ShownQuestion, ...]) -> tuple[ShownQuestion, ...]:
    """A record's fields asked in its form: all but its nested group."""
    return tuple(f for f in shown if f.type != "repeat")


def nested_urls(
    urls: CustomerUrls, page_id: str, group_id: str, index: int, sub_id: str
) -> RecordUrls:
    """``/r/<token>/p/<page>/services/0/real_servers/`` and its records' links."""
    # ids are identifiers (lower-case letters, digits and underscores): nothing to quote
    return RecordUrls(f"{urls.records(page_id, group_id).change(index)}/{sub_id}/")


def _stored_parent(record: RecordView) -> tuple[ShownQuestion, ...]:
    """The parent record as the stored answers show it (its nested records are kept there)."""
    index = record.index
    shown = next((q for q in record.page.state.questions if q.id == record.group.id), None)
    if shown is None or index is None or index >= len(shown.records):
        return ()
    return shown.records[index]


def nested_lists(record: RecordView, urls: CustomerUrls) -> Markup:
    """The nested groups shown in the record, each listing its records with their links."""
    visible = {f.id for f in record.fields if f.type == "repeat"}
    if not visible:
        return Markup("")
    item = str(getattr(record.group.question, "item_label", "Item")).lower()
    if record.index is None:
        labels = [f.label for f in record.fields if f.type == "repeat"]
        what = escape(" and ".join(labels).lower())
        later = f"Once you have saved this {escape(item)}, you can add its {what} from its page."
        return Markup(f'<p class="body" id="nested-later">{later}</p>')  # noqa: S704 (escaped)
    html = []
    for sub in _stored_parent(record):
        if sub.id in visible:
            links = nested_urls(urls, record.page.page_id, record.group.id, record.index, sub.id)
            html.append(group(sub, record.errors, links))
    return Markup("\n".join(html))  # noqa: S704 (group escapes)


def nested_page_context(view: NestedRecordView, urls: CustomerUrls) -> dict[str, object]:
    """What ``customer/record.html`` needs for a nested record's page."""
    place = view.place
    order = {f.id: n for n, f in enumerate(view.field_questions)}
    error_list = sorted(view.errors.items(), key=lambda item: order.get(item[0], len(order)))
    parent = urls.records(place.page.page_id, place.group.id).change(place.index)
    return {
        "group": place.sub,
        "index": view.sub_index,
        "version": str(place.page.response.version),
        "fields": fields.fields(view.fields, view.values, view.errors),
        "error_list": error_list,
        "notice": view.notice,
        "back": f"{parent}#{place.sub.id}",
        "caption": f"{place.parent_heading}: {_parent_name(place.group, place.index)}",
    }


def _parent_name(group: ShownQuestion, index: int) -> str:
    """The parent record's first answered field (a service's name), to say whose servers."""
    record = group.records[index] if index < len(group.records) else ()
    first = next((f for f in record if f.value is not None and f.type != "repeat"), None)
    return str(first.value) if first is not None else ""


def removal_note(group: ShownQuestion, index: int) -> str | None:
    """What else goes when a parent record is removed (``its 2 real servers``)."""
    record = group.records[index] if 0 <= index < len(group.records) else ()
    counts = [
        f"{len(sub.records)} {str(getattr(sub.question, 'item_label', 'item')).lower()}"
        f"{'' if len(sub.records) == 1 else 's'}"
        for sub in record
        if sub.type == "repeat" and sub.records
    ]
    return f"This also removes its {' and '.join(counts)}." if counts else None
