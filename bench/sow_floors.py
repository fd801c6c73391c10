"""The SoW benchmark's floors: plain Jinja2 rendering the final HTML, and the same templates
in plain Jinja2 with the answers already known (see ``bench/sow.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
import markupsafe

from sow_prefill.model import Draft
from sow_prefill.prefill import PrefillInput, template_functions
from sow_prefill.templates import Library

# -- the floor: plain Jinja2 rendering the final HTML ----------------------------------------------


def plain_template(page: str, draft: Draft) -> tuple[jinja2.Template, dict[str, str]]:
    """A plain template (filled values as variables) whose output is exactly ``page``."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for item in draft.fields:
        if not item.filled or not item.text:
            continue
        escaped = str(markupsafe.escape(item.text))
        start = page.find(escaped, page.index("<body>"))
        end = start + len(escaped)
        if start < 0 or any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        found.append((start, end, item.text))
    found.sort()
    source, values, cursor = [], {}, 0
    for i, (start, end, text) in enumerate(found):
        source += ["{% raw %}", page[cursor:start], "{% endraw %}", f"{{{{ v{i} }}}}"]
        values[f"v{i}"] = text
        cursor = end
    source += ["{% raw %}", page[cursor:], "{% endraw %}"]
    assert "{% endraw %}" not in page
    template = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string(
        "".join(source)
    )
    assert template.render(values) == page, "the plain template must produce the same HTML"
    return template, values


# -- the second floor: the same templates in plain Jinja2, the answers already known --------------

#: The sandbox's template settings without the sandbox and without Markdown escaping.
PLAIN_TEMPLATES = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _known_functions(inp: PrefillInput) -> dict[str, Any]:
    """Template functions that return what the recorder returns, looked up: nothing is recorded,
    escaped or checked. A call's first time asks the real function (``same_templates`` makes
    every call once, and checks the output, before any timing); later calls only look up."""
    real = template_functions(inp)
    known: dict[tuple[Any, ...], Any] = {}
    # The recorder numbers deliverables only inside the deliverables section: render() tells it
    # which section it is in, as prefill does.
    recorder = real["deliverable"].__self__

    def remember(key: tuple[Any, ...], name: str, *args: Any) -> Any:
        if key not in known:
            known[key] = real[name](*args)
        return known[key]

    def answer(key: str, label: str | None = None) -> Any:
        return known.get(("answer", key, label)) or remember(
            ("answer", key, label), "answer", key, label
        )

    def fact(key: str, label: str | None = None) -> Any:
        return known.get(("fact", key, label)) or remember(("fact", key, label), "fact", key, label)

    def value(key: str) -> Any:
        found = ("value", key)
        return known[found] if found in known else remember(found, "value", key)

    def records(key: str) -> Any:
        found = ("records", key)
        return known[found] if found in known else remember(found, "records", key)

    def item(record: Any, key: str, label: str | None = None) -> Any:
        found = ("item", record.group, record.index, key, label)
        return known.get(found) or remember(found, "item", record, key, label)

    def placeholder(label: str) -> Any:
        return known.get(("placeholder", label)) or remember(
            ("placeholder", label), "placeholder", label
        )

    def proposal(topic: str) -> Any:
        return known.get(("proposal", topic)) or remember(("proposal", topic), "proposal", topic)

    def deliverable(key: str) -> Any:
        return known.get(("deliverable", key)) or remember(("deliverable", key), "deliverable", key)

    return {
        "answer": answer,
        "fact": fact,
        "value": value,
        "records": records,
        "item": item,
        "placeholder": placeholder,
        "proposal": proposal,
        "deliverable": deliverable,
        "today": real["today"],
        "_recorder": recorder,
    }


def same_templates(library: Library, inp: PrefillInput, draft: Draft) -> Callable[[], list[str]]:
    """The second floor: every section source of the draft's templates (base and chosen),
    precompiled in :data:`PLAIN_TEMPLATES` and rendered with :func:`_known_functions`, joined
    into section bodies as ``prefill`` joins them. The same template work as a pre-fill, without
    the sandbox, the Markdown escaping and the provenance record."""
    chosen = [library.get(t) for t in draft.templates]
    plan = [
        (
            section.id,
            [PLAIN_TEMPLATES.from_string(section.markdown)]
            + [
                PLAIN_TEMPLATES.from_string(c.markdown)
                for t in chosen
                if t is not None
                for c in t.spec.sections
                if c.id == section.id
            ],
        )
        for section in library.base.spec.sections
    ]
    functions = _known_functions(inp)
    recorder = functions.pop("_recorder")

    def render() -> list[str]:
        bodies = []
        for section_id, templates in plan:
            recorder.section = section_id
            parts = [t.render(functions) for t in templates]
            bodies.append("\n\n".join(part.strip() for part in parts if part.strip()))
        return bodies

    assert render() == [s.markdown for s in draft.sections], (
        "the same-templates floor must produce the same Markdown"
    )
    return render
