"""A question's form group (GOV.UK patterns) as HTML, built in Python.

A page shows a dozen questions or more, and a Jinja macro call costs more than a whole field
built here. What does not depend on the answers (ids, names, the input's attributes, a choice's
label, the file hint) is built once per question and kept (:func:`_parts`); what the flow
decides (piped labels and hints, offered options, notes, whether an answer is required) and
what the request holds (values, errors) is added on every render. A page's repeating groups
are :mod:`.group_fields` (records given by the engagement: :mod:`.given_fields`).

Safety: the markup is this module's own constant strings. Every other value (definition texts,
piped answers, typed values, error messages, ids) passes through :func:`markupsafe.escape`
before it is joined in, and the result is marked safe once, at the end of each public function.
``tests/web/test_field_markup.py`` posts payloads through every question type to hold that.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from threading import Lock
from typing import Any

from markupsafe import Markup, escape

from questionnaire.engine import PageState, ShownNote, ShownQuestion
from questionnaire.engine.given import is_given
from questionnaire.engine.model import FileQuestion, Question

from .customer_urls import CustomerUrls
from .given_fields import given_group
from .group_fields import group
from .jinja import ACCEPT, filesize, time_zones
from .select_field import searchable_field

#: How a date is typed (the engine's parser reads exactly this form: ISO 8601).
DATE_EXAMPLE = "For example, 2026-03-27"
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

_CHOICE_KINDS = ("choice", "yes_no", "multi_choice")
_YES_NO = (("yes", "Yes", None), ("no", "No", None))
# The input's attributes after its value, by question type; any other type is plain text.
_INPUT_ATTRS = {
    "email": ' type="email" autocomplete="email" spellcheck="false"',
    "phone": ' type="tel" autocomplete="tel"',
    "url": ' type="url" spellcheck="false"',
    "integer": ' type="text" inputmode="numeric"',
    "port": ' type="text" inputmode="numeric"',
    "decimal": ' type="text" inputmode="decimal"',
    # Text, not type="date": a browser's date box shows its own locale's order (mm/dd/yyyy),
    # which would contradict the ISO example in the hint that the engine's parser reads.
    "date": ' type="text" spellcheck="false" autocomplete="off"',
    "ip_address": ' type="text" spellcheck="false" autocapitalize="none"',
    "cidr": ' type="text" spellcheck="false" autocapitalize="none"',
    "hostname": ' type="text" spellcheck="false" autocapitalize="none"',
    "timezone": ' type="text" list="time-zones" autocomplete="off"',
}
_NARROW = ("integer", "port", "decimal", "date")


@dataclass(frozen=True)
class _Parts:
    """A question's markup that no answer changes, escaped once."""

    id: str
    kind: str
    input_attrs: str
    width: str  # the narrow input's class, or ""
    unit: str | None
    #: Each option's escaped (value, label, hint), by value; yes/no has its own two.
    options: Mapping[str, tuple[str, str, str | None]]
    file_accept: str
    file_hint: str
    #: The question's own label, hint and help, escaped, by text: what a page shows unless an
    #: answer is piped into them (a text of its own, escaped when shown).
    own_texts: Mapping[str, str]

    def text(self, shown: str) -> str:
        """``shown``, escaped."""
        kept = self.own_texts.get(shown)
        return f"{escape(shown)}" if kept is None else kept


# Kept per question object: each definition version compiles its own objects, so an entry is
# never used for another version's question (the question is kept in the entry, so its id()
# cannot be reused while the entry lives).
_CACHE: OrderedDict[tuple[int, str], tuple[Question, _Parts]] = OrderedDict()
_CACHE_SIZE = 4096
_LOCK = Lock()


def _parts(question: Question, field_id: str) -> _Parts:
    key = (id(question), field_id)
    entry = _CACHE.get(key)  # one dict read is atomic: only changes take the lock
    if entry is not None and entry[0] is question:
        return entry[1]
    parts = _build_parts(question, field_id)
    with _LOCK:
        _CACHE[key] = (question, parts)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return parts


def _build_parts(question: Question, field_id: str) -> _Parts:
    kind = question.type
    choices = getattr(question, "choices", ())
    options = {
        c.value: (f"{escape(c.value)}", f"{escape(c.label)}", _escaped(c.hint)) for c in choices
    }
    if kind == "yes_no":
        options = {v: (v, label, None) for v, label, _ in _YES_NO}
    accept = hint = ""
    if isinstance(question, FileQuestion):
        accept = f"{escape(','.join(ACCEPT.get(k, '') for k in question.accept))}"
        listed = ", ".join(k.upper() for k in question.accept)
        hint = f"{escape(f'{listed}, up to {question.max_size_mb:g} MB.')}"
    unit = getattr(question, "unit", None) if kind in ("integer", "decimal") else None
    return _Parts(
        id=f"{escape(field_id)}",
        kind=kind,
        input_attrs=_INPUT_ATTRS.get(kind, ' type="text"'),
        width=" input--width-10" if kind in _NARROW else "",
        unit=_escaped(unit),
        options=options,
        file_accept=accept,
        file_hint=hint,
        own_texts={
            text: f"{escape(text)}"
            for text in (question.label, question.hint, question.help)
            if text is not None
        },
    )


def _escaped(text: str | None) -> str | None:
    return None if text is None else f"{escape(text)}"


# -- a field --------------------------------------------------------------------------------------


def field(shown: ShownQuestion, value: Any, error: str | None) -> Markup:
    """The question's form group: label (or legend), hint, help, inline error, input(s), notes."""
    if getattr(shown.question, "widget", None) == "searchable":
        return searchable_field(shown, value, error, [note(n) for n in shown.notes])
    parts = _parts(shown.question, shown.id)
    fid = parts.id
    hint = shown_hint(shown)
    described = [f"{fid}-hint"] if hint else []
    if error:
        described.append(f"{fid}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    label = f"{parts.text(shown.label)}{'' if shown.required else ' (optional)'}"
    choices = parts.kind in _CHOICE_KINDS
    html = [f'<div class="form-group{" form-group--error" if error else ""}" id="{fid}-group">']
    if choices:
        html.append(f'<fieldset class="fieldset"{aria}>')
        html.append(f'<legend class="fieldset__legend">{label}</legend>')
    else:
        html.append(f'<label class="label" for="{fid}">{label}</label>')
    if hint:
        html.append(f'<div id="{fid}-hint" class="hint">{parts.text(hint)}</div>')
    if shown.help:
        html.append(
            '<details class="details"><summary class="details__summary">Help with this question'
            f'</summary><div class="details__text">{parts.text(shown.help)}</div></details>'
        )
    if error:
        html.append(
            f'<p id="{fid}-error" class="error-message">'
            f'<span class="visually-hidden">Error:</span> {escape(error)}</p>'
        )
    if choices:
        html.append(_options(parts, shown, value))
        html.append("</fieldset>")
    elif parts.kind == "long_text":
        html.append(
            f'<textarea class="textarea{" textarea--error" if error else ""}" id="{fid}" '
            f'name="{fid}" rows="5"{aria}>{escape(value)}</textarea>'
        )
    elif parts.kind == "file":
        html.append(_file_input(parts, value, aria))
    else:
        html.append(_input(parts, value, error, aria))
    html.extend(note(n) for n in shown.notes)
    html.append("</div>")
    return Markup("\n".join(html))  # noqa: S704 (every value above is escaped)


def escaped_label(shown: ShownQuestion) -> str:
    """The question's label as shown, escaped (once per question when nothing is piped in)."""
    return _parts(shown.question, shown.id).text(shown.label)


def shown_hint(shown: ShownQuestion) -> str | None:
    """The hint under the label; a date's always shows the form its answer is typed in."""
    if shown.type != "date" or (shown.hint and _ISO_DATE.search(shown.hint)):
        return shown.hint
    return f"{shown.hint} {DATE_EXAMPLE}" if shown.hint else DATE_EXAMPLE


def _options(parts: _Parts, shown: ShownQuestion, value: Any) -> str:
    multi = parts.kind == "multi_choice"
    base = "checkboxes" if multi else "radios"
    kind = "checkbox" if multi else "radio"
    chosen = set(value) if isinstance(value, list | tuple) else {value}
    offered = (
        [v for v, _, _ in _YES_NO] if parts.kind == "yes_no" else [c.value for c in shown.choices]
    )
    inline = " radios--inline" if parts.kind == "yes_no" else ""
    html = [f'<div class="{base}{inline}">']
    for n, option in enumerate(offered, start=1):
        escaped_value, label, hint = parts.options.get(option) or _offered(shown, option)
        oid = parts.id if n == 1 else f"{parts.id}-{n}"
        checked = " checked" if option in chosen else ""
        described = f' aria-describedby="{oid}-item-hint"' if hint else ""
        html.append(
            f'<div class="{base}__item">\n<input class="{base}__input" id="{oid}" '
            f'name="{parts.id}" type="{kind}" value="{escaped_value}"{checked}{described}>\n'
            f'<label class="{base}__label" for="{oid}">{label}</label>'
        )
        if hint:
            html.append(f'<div id="{oid}-item-hint" class="hint item-hint">{hint}</div>')
        html.append("</div>")
    html.append("</div>")
    return "\n".join(html)


def _offered(shown: ShownQuestion, value: str) -> tuple[str, str, str | None]:
    """An option the flow offers that the question's own list lacks (never, for a loaded
    definition): escaped here rather than trusted."""
    choice = next(c for c in shown.choices if c.value == value)
    return f"{escape(choice.value)}", f"{escape(choice.label)}", _escaped(choice.hint)


def _input(parts: _Parts, value: Any, error: str | None, aria: str) -> str:
    classes = f"input{' input--error' if error else ''}{parts.width}"
    box = (
        f'<input class="{classes}" id="{parts.id}" name="{parts.id}" value="{escape(value)}"'
        f"{parts.input_attrs}{aria}>"
    )
    if parts.unit is None:
        return box
    suffix = f'<div class="input__suffix" aria-hidden="true">{parts.unit}</div>'
    return f'<div class="input__wrapper">\n{box}\n{suffix}</div>'


def _file_input(parts: _Parts, value: Any, aria: str) -> str:
    html = []
    if isinstance(value, dict) and value.get("name"):
        size = filesize(value["size"]) if isinstance(value.get("size"), int) else ""
        html.append(
            f'<p class="body" id="{parts.id}-current">Uploaded: <strong>{escape(value["name"])}'
            f"</strong> ({escape(size)}). Choose another file to replace it.</p>"
        )
    html.append(
        f'<input class="file-upload" id="{parts.id}" name="{parts.id}" type="file" '
        f'accept="{parts.file_accept}"{aria}>'
    )
    html.append(f'<p class="hint">{parts.file_hint}</p>')
    return "\n".join(html)


def note(shown: ShownNote) -> str:
    """A note under a question or at the top of a page: a warning, or inset text."""
    if shown.kind == "warning":
        return (
            '<div class="warning-text"><span class="warning-text__icon" aria-hidden="true">!'
            '</span>\n<strong class="warning-text__text"><span class="visually-hidden">Warning'
            f"</span>{escape(shown.text)}</strong></div>"
        )
    return f'<div class="inset-text">{escape(shown.text)}</div>'


# -- a page's questions ---------------------------------------------------------------------------


def questions(
    state: PageState, values: Mapping[str, Any], errors: Mapping[str, str], urls: CustomerUrls
) -> Markup:
    """The page's notes and questions: also what the enhancing script swaps in after a change."""
    shown_ids = " ".join(shown.id for shown in state.questions)
    # Which questions the respondent has in front of them: a question revealed by this post is
    # asked next rather than reported as missing.
    html = [f'<input type="hidden" name="_shown" value="{escape(shown_ids)}">']
    html.extend(note(n) for n in state.notes)
    for shown in state.questions:
        if shown.type == "repeat" and is_given(shown.question):
            html.append(given_group(shown, errors, urls.records(state.id, shown.id)))
        elif shown.type == "repeat":
            html.append(group(shown, errors, urls.records(state.id, shown.id)))
        else:
            html.append(field(shown, values.get(shown.id, ""), errors.get(shown.id)))
    return Markup("\n".join(html))  # noqa: S704 (escaped here and by field and group)


def fields(
    shown: tuple[ShownQuestion, ...], values: Mapping[str, Any], errors: Mapping[str, str]
) -> Markup:
    """Fields one after another (a record's form)."""
    html = "\n".join(field(f, values.get(f.id, ""), errors.get(f.id)) for f in shown)
    return Markup(html)  # noqa: S704 (each field is escaped)


@cache
def time_zone_list() -> Markup:
    """The suggestions of every time-zone input: the same on every page, so built once."""
    options = "".join(f'<option value="{escape(zone)}"></option>' for zone in time_zones())
    return Markup(f'<datalist id="time-zones">{options}</datalist>')  # noqa: S704 (escaped)
