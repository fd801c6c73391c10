"""The engagement's records a repeating group may be given (``records_from: <source>``).

A group with ``records_from`` does not ask the respondent to type its records: they are taken
from the engagement (the virtual services of its Project Detail Record), each is shown with
its fields read-only, and the group's own questions are asked about each. The catalogue is data
the engine owns, as :mod:`.facts` is, so ``questionnaire lint`` can check a definition without
the web app or a database: each source's name, label, and fields with their answer types.
``services/validation_records.py`` builds exactly these fields, and a test holds the two
together. It imports nothing of the engine, so the definition model can name the sources in
its JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceField:
    """A field every given record carries: its label and the answer type that holds it."""

    label: str
    type: str


@dataclass(frozen=True)
class RecordSource:
    """Where a group's records come from: what one is called, its fields, and its heading,
    a ``str.format`` pattern over the fields (blank fields and their separators are left out)."""

    label: str
    fields: Mapping[str, SourceField]
    heading: tuple[tuple[str, str], ...]

    def heading_of(self, record: Mapping[str, object]) -> str:
        """The record's one-line summary, e.g. ``Web servers — 10.0.0.10:443 HTTPS``."""
        text = ""
        for separator, name in self.heading:
            value = record.get(name)
            if value is None or str(value).strip() == "":
                continue
            text += (separator if text else "") + str(value)
        return text


#: Every source a definition may name in ``records_from``, by name.
RECORD_SOURCES: Mapping[str, RecordSource] = {
    "pdr.virtual_services": RecordSource(
        "The virtual services in the Project Detail Record",
        {
            "name": SourceField("Virtual service", "text"),
            "vip": SourceField("Virtual IP address (VIP)", "text"),
            "ports": SourceField("Ports", "text"),
            "protocol": SourceField("Protocol", "text"),
        },
        (("", "name"), (" — ", "vip"), (":", "ports"), (" ", "protocol")),
    ),
}
