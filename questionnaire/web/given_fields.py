"""A repeating group whose records are given (``records_from``) on its page: each record
headed by its given fields, read-only, with its answers and a link to answer its questions.
There is no link to add or to remove a record: the records are the engagement's.

Safety as in :mod:`questionnaire.web.fields`: constant markup, every other value through
:func:`markupsafe.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import escape

from questionnaire.engine import ShownQuestion

from .customer_urls import RecordUrls
from .group_fields import record_text


def given_group(shown: ShownQuestion, errors: Mapping[str, str], urls: RecordUrls) -> str:
    gid = f"{escape(shown.id)}"
    item = str(getattr(shown.question, "item_label", "Item"))
    html = [
        f'<div class="form-group" id="{gid}-group">',
        f'<h2 class="heading-m" id="{gid}">{escape(shown.label)}</h2>',
    ]
    if shown.hint:
        html.append(f'<div class="hint">{escape(shown.hint)}</div>')
    if not shown.records:
        html.append(f'<p class="body">There is no {escape(item.lower())} to check.</p>')
    else:
        html.append('<dl class="summary-list">')
        headings = [*shown.headings, *([""] * len(shown.records))]
        for index, record in enumerate(shown.records):
            title = headings[index] or f"{item} {index + 1}"
            html.append(_row(shown.id, index, record, title, errors, urls))
        html.append("</dl>")
    html.append("</div>")
    return "\n".join(html)


def _row(
    group_id: str,
    index: int,
    record: tuple[ShownQuestion, ...],
    title: str,
    errors: Mapping[str, str],
    urls: RecordUrls,
) -> str:
    prefix = f"{group_id}[{index}]"
    # Each message has the id the error summary links to (``services[0].works``), so the
    # summary's link lands on the record it is about.
    problems = "".join(
        f'<p class="error-message" id="{escape(key)}"><span class="visually-hidden">Error:'
        f"</span> {escape(message)}</p>"
        for key, message in errors.items()
        if key.startswith(prefix + ".")
    )
    answered = record_text(record)
    action = "Change" if answered else "Answer the questions"
    status = answered or '<span class="secondary-text">Not answered yet</span>'
    return (
        f'<div class="summary-list__row">\n'
        f'<dt class="summary-list__key">{escape(title)}</dt>\n'
        f'<dd class="summary-list__value">{status}{problems}</dd>\n'
        f'<dd class="summary-list__actions"><a class="link" href="{escape(urls.change(index))}">'
        f'{action}<span class="visually-hidden"> about {escape(title)}</span></a></dd>\n</div>'
    )
