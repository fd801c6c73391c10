"""A choice asked as a searchable select (``widget: searchable``), for long lists.

Without JavaScript it is GOV.UK's select: a label, hint, error message and ``<select>``, which
the error summary links to by the question's id. ``static/searchable-select.js`` enhances it
into a combobox that filters the options as the person types; the select stays in the form,
hidden, and is what submits the answer.

Safety as in :mod:`.fields`: every value joined in is escaped, and the result is marked safe
once, at the end.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from questionnaire.engine import ShownQuestion

#: The empty first option: no answer until one is chosen.
PROMPT = "Choose an option"


def searchable_field(
    shown: ShownQuestion, value: Any, error: str | None, notes: list[str]
) -> Markup:
    """The question's form group, with a ``<select>`` the script may enhance."""
    fid = f"{escape(shown.id)}"
    described = [f"{fid}-hint"] if shown.hint else []
    if error:
        described.append(f"{fid}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    optional = "" if shown.required else " (optional)"
    html = [
        f'<div class="form-group{" form-group--error" if error else ""}" id="{fid}-group">',
        f'<label class="label" id="{fid}-label" for="{fid}">{escape(shown.label)}{optional}</label>',
    ]
    if shown.hint:
        html.append(f'<div id="{fid}-hint" class="hint">{escape(shown.hint)}</div>')
    if shown.help:
        html.append(
            '<details class="details"><summary class="details__summary">Help with this question'
            f'</summary><div class="details__text">{escape(shown.help)}</div></details>'
        )
    if error:
        html.append(
            f'<p id="{fid}-error" class="error-message">'
            f'<span class="visually-hidden">Error:</span> {escape(error)}</p>'
        )
    html.append('<div class="searchable-select">')
    html.append(
        f'<select class="select{" select--error" if error else ""}" id="{fid}" name="{fid}"'
        f' data-module="searchable-select"{aria}>'
    )
    html.append(f'<option value="">{PROMPT}</option>')
    for choice in shown.choices:
        selected = " selected" if choice.value == value else ""
        html.append(
            f'<option value="{escape(choice.value)}"{selected}>{escape(choice.label)}</option>'
        )
    html.append("</select>\n</div>")
    html.extend(notes)
    html.append("</div>")
    return Markup("\n".join(html))  # noqa: S704 (every value above is escaped)
