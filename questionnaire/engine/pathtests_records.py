"""Path tests of given records: what each record of a ``records_from`` group shows.

A case gives the engagement's records by source and expects, per group, each record's heading
and the questions asked about it, in order::

    records:
      pdr.virtual_services:
        - {name: Web servers, vip: 10.0.0.10, ports: "443", protocol: HTTPS}
    answers: {services: [{works: false}]}      # the answers to record 0, by position
    expect:
      records:
        services:
          - heading: Web servers — 10.0.0.10:443 HTTPS
            visible: [works, works_problem, failover, missing]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import BaseModel, ConfigDict

from .flow_state import FlowResult, ShownQuestion


class RecordExpect(BaseModel):
    """What one record shows: its heading, exactly its questions, or questions it must not ask."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heading: str | None = None
    visible: list[str] | None = None
    hidden: list[str] = []


def check_shown(flow: FlowResult, expected: Mapping[str, list[RecordExpect]]) -> Iterator[str]:
    for group_id, records in expected.items():
        shown = _group(flow, group_id)
        if shown is None:
            yield f"records: '{group_id}' is not shown on the path"
            continue
        headings = [*shown.headings, *([""] * len(shown.records))][: len(shown.records)]
        if len(shown.records) != len(records):
            yield (
                f"records: '{group_id}' expected {len(records)} record(s), "
                f"shown {len(shown.records)}: {headings}"
            )
            continue
        for index, (expect, fields, heading) in enumerate(
            zip(records, shown.records, headings, strict=True)
        ):
            yield from _record(f"{group_id}[{index}]", expect, fields, heading)


def _record(
    name: str, expect: RecordExpect, fields: tuple[ShownQuestion, ...], heading: str
) -> Iterator[str]:
    if expect.heading is not None and heading != expect.heading:
        yield f"records: '{name}' heading expected {expect.heading!r}, got {heading!r}"
    ids = [field.id for field in fields]
    if expect.visible is not None and ids != expect.visible:
        yield f"records: '{name}' expected questions {expect.visible}, got {ids}"
    for hidden in expect.hidden:
        if hidden in ids:
            yield f"records: '{name}' expected '{hidden}' hidden, but it is shown"


def _group(flow: FlowResult, group_id: str) -> ShownQuestion | None:
    for page in flow.path:
        for shown in flow.pages[page].questions:
            if shown.id == group_id:
                return shown
    return None
