"""The answers on the respondent's path, page by page (the review and the read-only summary after
submission), as HTML built in Python: a review lists every question on the path, and a Jinja
loop with a Change link per row cost more than the rest of the request.

Safety as in :mod:`questionnaire.web.fields`: constant markup, and every other value (titles,
piped labels, answers as displayed, URLs) through :func:`markupsafe.escape`; the result is
marked safe once, in :func:`summary`.
"""

from __future__ import annotations

from collections.abc import Collection

from markupsafe import Markup, escape

from questionnaire.engine import FlowResult, ShownQuestion
from questionnaire.engine.answers import display

from .counted_fields import computed_lines, surplus_summary
from .customer_urls import CustomerUrls
from .fields import escaped_label
from .group_fields import record_text


def summary(
    flow: FlowResult, changes: CustomerUrls | None, removed: Collection[str] = ()
) -> Markup:
    """Every page on the path that shows a question; ``changes`` adds a Change link per row.
    A file answer naming an upload in ``removed`` says the file was removed after the retention
    period (the answer stays; ``services/retention.py``)."""
    html = []
    for page_id in flow.path:
        state = flow.pages[page_id]
        if not state.questions:
            continue
        html.append(f'<h2 class="heading-m">{escape(state.title)}</h2>\n<dl class="summary-list">')
        page_url = None if changes is None else changes.page(page_id)
        html.extend(_row(shown, page_url, removed) for shown in state.questions)
        html.append("</dl>")
    return Markup("\n".join(html))  # noqa: S704 (every value is escaped)


def _row(shown: ShownQuestion, page_url: str | None, removed: Collection[str] = ()) -> str:
    """A question and its answer; with the page's URL, a link to change it there."""
    label = escaped_label(shown)
    row = (
        f'<div class="summary-list__row">\n<dt class="summary-list__key">{label}</dt>\n'
        f'<dd class="summary-list__value">{_answer(shown)}{_removed(shown, removed)}'
        f"{surplus_summary(shown, page_url)}</dd>"
    )
    if page_url is not None:
        url = f"{page_url}#{shown.id}-group"  # an identifier: nothing to quote
        row += (
            f'\n<dd class="summary-list__actions"><a class="link" href="{escape(url)}">Change'
            f'<span class="visually-hidden"> {label}</span></a></dd>'
        )
    return row + "\n</div>"


def _removed(shown: ShownQuestion, removed: Collection[str]) -> str:
    value = shown.value
    if shown.type != "file" or not isinstance(value, dict) or value.get("id") not in removed:
        return ""
    return ' <span class="secondary-text">(the file was removed after the retention period)</span>'


def _answer(shown: ShownQuestion) -> str:
    if shown.type == "repeat" and shown.records:
        item = escape(getattr(shown.question, "item_label", "Item"))
        # A given record is named by its heading (its given fields), as on its page.
        titles: list[str] = [str(escape(h)) for h in shown.headings] or [
            f"{item} {number}" for number in range(1, len(shown.records) + 1)
        ]
        return "\n".join(
            f'<p class="body"><strong>{title}</strong><br>\n{record_text(record)}'
            f"{computed_lines(shown, index)}</p>"
            for index, (title, record) in enumerate(zip(titles, shown.records, strict=False))
        )
    if shown.value is not None:
        return f"{escape(display(shown.question, shown.value))}"
    if shown.required:
        return '<span class="error-message">Not answered yet</span>'
    return '<span class="secondary-text">Not answered</span>'
