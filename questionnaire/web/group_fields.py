"""A repeating group on its page, built in Python: its records so far, each a summary-list row
with its answers and links to change or remove it, and the button to add another. Also a
record's answers as text (``record_text``, ``nested_text``), which the given groups
(:mod:`.given_fields`), the review (:mod:`.summary`) and the nested records build on.

Safety as in :mod:`questionnaire.web.fields`: the markup is this module's own constant strings;
every other value (labels, hints, answers as displayed, error messages, ids, URLs) passes
through :func:`markupsafe.escape` before it is joined in. Nothing here is marked safe: the
callers join these strings into a page and mark the result safe once
(:func:`questionnaire.web.fields.questions`, :mod:`.nested_render`).
``tests/web/test_field_markup.py`` posts payloads through every question type to hold that.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import escape

from questionnaire.engine import ShownQuestion
from questionnaire.engine.answers import display

from .counted_fields import computed_lines, counted, surplus_notice, surplus_rows
from .customer_urls import RecordUrls


def group(shown: ShownQuestion, errors: Mapping[str, str], urls: RecordUrls) -> str:
    """A repeating group on its page: the records so far, with links to change or remove each."""
    gid = f"{escape(shown.id)}"
    error = errors.get(shown.id)
    label = f"{escape(shown.label)}{'' if shown.required else ' (optional)'}"
    item = str(getattr(shown.question, "item_label", "Item"))
    html = [
        f'<div class="form-group{" form-group--error" if error else ""}" id="{gid}-group">',
        f'<h2 class="heading-m" id="{gid}">{label}</h2>',
    ]
    if shown.hint:
        html.append(f'<div class="hint">{escape(shown.hint)}</div>')
    if error:
        html.append(
            '<p class="error-message"><span class="visually-hidden">Error:</span> '
            f"{escape(error)}</p>"
        )
    fixed = counted(shown)  # as many records as the count: none added or removed here
    if shown.records or shown.surplus:
        html.append(surplus_notice(shown))
        html.append('<dl class="summary-list">')
        html.extend(
            _record_row(
                shown.id,
                index,
                record,
                item,
                errors,
                urls,
                extra=computed_lines(shown, index),
                removable=not fixed,
            )
            for index, record in enumerate(shown.records)
        )
        html.append(surplus_rows(shown, urls))
        html.append("</dl>")
    else:
        none = f"No {item.lower()} to fill in." if fixed else "You have not added any yet."
        html.append(f'<p class="body">{escape(none)}</p>')
    if not fixed and len(shown.records) < getattr(shown.question, "max_items", 0):
        more = "another" if shown.records else "a"
        html.append(
            f'<a class="button button--secondary" href="{escape(urls.new)}">'
            f"Add {more} {escape(item.lower())}</a>"
        )
    html.append("</div>")
    return "\n".join(html)


def _record_row(
    group_id: str,
    index: int,
    record: tuple[ShownQuestion, ...],
    item: str,
    errors: Mapping[str, str],
    urls: RecordUrls,
    *,
    extra: str = "",
    removable: bool = True,
) -> str:
    number = index + 1
    answered = record_text(record) + extra
    prefix = f"{group_id}[{index}]"
    problems = "".join(
        f'<p class="error-message">{escape(message)}</p>'
        for key, message in errors.items()
        if key.startswith(prefix)
    )
    hidden = f'<span class="visually-hidden"> {escape(item.lower())} {number}</span>'
    return (
        f'<div class="summary-list__row">\n<dt class="summary-list__key">{escape(item)} {number}'
        f'</dt>\n<dd class="summary-list__value">{answered}{problems}</dd>\n'
        f'<dd class="summary-list__actions">\n'
        f'<a class="link" href="{escape(urls.change(index))}">Change{hidden}</a>\n'
        + (
            f'<a class="link" href="{escape(urls.remove(index))}">Remove{hidden}</a>\n'
            if removable
            else ""
        )
        + "</dd>\n</div>"
    )


def record_text(record: tuple[ShownQuestion, ...]) -> str:
    """A record's answered fields, one a line: ``Name: PACS``, ``Terminate TLS? Yes``."""
    lines = [
        nested_text(f)
        if f.records
        else f"{escape(f.label)}{'' if f.label.endswith('?') else ':'} "
        f"{escape(display(f.question, f.value))}"
        for f in record
        if f.value is not None
    ]
    return "<br>".join(lines)


def nested_text(shown: ShownQuestion) -> str:
    """A nested group's records under its label (a service's real servers), one a line."""
    item = escape(getattr(shown.question, "item_label", "Item"))
    rows = "".join(
        f"<li>{item} {number}: {record_text(record).replace('<br>', '; ')}</li>"
        for number, record in enumerate(shown.records, 1)
    )
    return f'{escape(shown.label)}:<ul class="list list--bullet">{rows}</ul>'
