"""The structured draft a pre-fill produces: sections of Markdown, every field with its source."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from questionnaire.engine.types import JSON

#: How a field still to be confirmed reads in the document.
PLACEHOLDER = "[To confirm on the discovery call: {label}]"
_PLACEHOLDERS = re.compile(r"\[To confirm on the discovery call: ([^\]\n]{1,200})\]")


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: a question and its answer, or an engagement fact."""

    source: str  # "answer", "computed" or "fact"
    key: str
    label: str
    value: JSON
    display: str


@dataclass(frozen=True)
class Field:
    """One item of the draft: filled (with its provenance) or a placeholder to confirm."""

    section: str
    key: str
    label: str
    text: str | None
    provenance: Provenance | None = None

    @property
    def filled(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class Proposal:
    """A recommendation derived from answers: marked as a proposal, with its reason."""

    topic: str
    text: str
    reason: str
    based_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    markdown: str


@dataclass(frozen=True)
class Draft:
    """A pre-filled Statement of Work, ready for the engineer to finish."""

    title: str
    templates: tuple[str, ...]
    sections: tuple[Section, ...]
    fields: tuple[Field, ...]
    proposals: tuple[Proposal, ...] = ()
    dropped: tuple[dict[str, JSON], ...] = field(default=())

    @property
    def checklist(self) -> tuple[Field, ...]:
        """Every placeholder, once each (where it first appears), in document order."""
        seen: set[str] = set()
        items = []
        for item in self.fields:
            if not item.filled and item.key not in seen:
                seen.add(item.key)
                items.append(item)
        return tuple(items)

    def markdown(self) -> str:
        """The whole document: title, the checklist of items to confirm, then the sections."""
        parts = [f"# {self.title}", ""]
        checklist = self.checklist
        if checklist:
            parts += ["## To confirm on the discovery call", ""]
            titles = {s.id: s.title for s in self.sections}
            parts += [
                f"- [ ] {item.label} ({titles.get(item.section, item.section)})"
                for item in checklist
            ]
            parts.append("")
        for section in self.sections:
            parts += [f"## {section.title}", "", section.markdown.strip(), ""]
        return "\n".join(parts).rstrip() + "\n"


def unconfirmed(markdown: str) -> list[str]:
    """The labels of the placeholders still in ``markdown``, once each, in document order: what
    a customer would read as "[To confirm on the discovery call: ...]" if it were sent."""
    return list(dict.fromkeys(match.group(1) for match in _PLACEHOLDERS.finditer(markdown)))
