"""The availability page's form as flat fields, to and from the plain data ``scheduling`` reads.

Each input is named by its place in the plain data (``weekly_hours.monday.0.start``,
``days_off.1.first``, ``meetings.discovery_call.length_minutes``), so an error's field names
its input. Rows left blank are not entries: a weekday without hours is a day off, and the
blank rows the form offers for more days off are ignored. Since blank rows drop out, the
entries are numbered again; :class:`Renames` takes an error's field back to the input the
engineer typed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from questionnaire.scheduling import MeetingKind
from questionnaire.scheduling.availability import WEEKDAYS
from questionnaire.scheduling.availability_form import FieldError

#: Rows the form offers beyond those saved: another stretch of hours a day, more days off.
SPARE_HOURS, SPARE_DAYS_OFF, SPARE_CHANGED = 1, 2, 2
MIN_HOURS_ROWS = 2
MAX_ROWS = 200  # more rows than the data allows is refused by scheduling's own checks
RULE_KEYS = ("length_minutes", "buffer_minutes", "notice_hours", "ahead_days")
_ROW = re.compile(r"(weekly_hours\.[a-z]+|days_off|changed_hours)\.([0-9]{1,3})\.([a-z_]+)")


@dataclass
class Renames:
    """Plain-data paths (``days_off.0``) → the form rows they came from (``days_off.2``)."""

    rows: dict[str, str] = field(default_factory=dict)

    def field_of(self, error: FieldError) -> str:
        """The input an error belongs to, named as the form names it."""
        path = error.field
        # A changed day's one stretch of hours is the form's start and end of that row.
        path = re.sub(r"^(changed_hours\.[0-9]+)\.hours(\.[0-9]+)?(\.(start|end))?$",
                      lambda m: f"{m.group(1)}.{(m.group(4) or 'start')}", path)  # fmt: skip
        for plain, row in sorted(self.rows.items(), key=lambda item: -len(item[0])):
            if path == plain or path.startswith(plain + "."):
                path = row + path[len(plain) :]
                break
        if re.fullmatch(r"weekly_hours\.[a-z]+\.[0-9]+", path):
            path += ".start"  # an overlap is reported on the stretch: show it at its start
        return path


def _rows(posted: Mapping[str, str], group: str) -> list[int]:
    """The row numbers the form posted for ``group``, in order."""
    found = set()
    for name in posted:
        match = _ROW.fullmatch(name)
        if match and match.group(1) == group and int(match.group(2)) < MAX_ROWS:
            found.add(int(match.group(2)))
    return sorted(found)


def _typed(posted: Mapping[str, str], name: str) -> str:
    return str(posted.get(name, "")).strip()


def posted_to_plain(posted: Mapping[str, str]) -> tuple[dict[str, Any], Renames]:
    """The plain data the form describes, and where each entry came from."""
    renames = Renames()
    weekly: dict[str, list[dict[str, str]]] = {}
    for day in WEEKDAYS:
        group = f"weekly_hours.{day}"
        weekly[day] = []
        for row in _rows(posted, group):
            start, end = (
                _typed(posted, f"{group}.{row}.start"),
                _typed(posted, f"{group}.{row}.end"),
            )
            if start or end:
                renames.rows[f"{group}.{len(weekly[day])}"] = f"{group}.{row}"
                weekly[day].append({"start": start, "end": end})
    days_off: list[dict[str, str]] = []
    for row in _rows(posted, "days_off"):
        first, last = (
            _typed(posted, f"days_off.{row}.first"),
            _typed(posted, f"days_off.{row}.last"),
        )
        if first or last:
            renames.rows[f"days_off.{len(days_off)}"] = f"days_off.{row}"
            days_off.append({"first": first, **({"last": last} if last else {})})
    changed: list[dict[str, Any]] = []
    for row in _rows(posted, "changed_hours"):
        name = f"changed_hours.{row}"
        day, start, end = (_typed(posted, f"{name}.{part}") for part in ("date", "start", "end"))
        if day or start or end:
            renames.rows[f"changed_hours.{len(changed)}"] = name
            hours = [{"start": start, "end": end}] if start or end else []
            changed.append({"date": day, "hours": hours})
    meetings = {
        kind.value: {key: _typed(posted, f"meetings.{kind.value}.{key}") for key in RULE_KEYS}
        for kind in MeetingKind
    }
    plain = {
        "time_zone": _typed(posted, "time_zone"), "weekly_hours": weekly, "days_off": days_off,
        "changed_hours": changed, "meetings": meetings,
    }  # fmt: skip
    return plain, renames


@dataclass(frozen=True)
class FormRows:
    """How many rows the form shows of each group (the saved ones and some spare)."""

    hours: dict[str, int]
    days_off: int
    changed: int


def plain_to_fields(plain: Mapping[str, Any]) -> tuple[dict[str, str], FormRows]:
    """The form's values for saved (plain) availability, and the rows to show."""
    values: dict[str, str] = {"time_zone": str(plain.get("time_zone", ""))}
    hours_rows = {}
    for day in WEEKDAYS:
        stretches = plain.get("weekly_hours", {}).get(day, [])
        for row, stretch in enumerate(stretches):
            values[f"weekly_hours.{day}.{row}.start"] = stretch["start"]
            values[f"weekly_hours.{day}.{row}.end"] = stretch["end"]
        hours_rows[day] = max(MIN_HOURS_ROWS, len(stretches) + SPARE_HOURS)
    days_off = plain.get("days_off", [])
    for row, off in enumerate(days_off):
        values[f"days_off.{row}.first"] = off["first"]
        values[f"days_off.{row}.last"] = off.get("last", off["first"])
    changed = plain.get("changed_hours", [])
    for row, change in enumerate(changed):
        values[f"changed_hours.{row}.date"] = change["date"]
        if change["hours"]:
            values[f"changed_hours.{row}.start"] = change["hours"][0]["start"]
            values[f"changed_hours.{row}.end"] = change["hours"][0]["end"]
    for kind, rules in plain.get("meetings", {}).items():
        for key, number in rules.items():
            values[f"meetings.{kind}.{key}"] = str(number)
    rows = FormRows(hours_rows, len(days_off) + SPARE_DAYS_OFF, len(changed) + SPARE_CHANGED)
    return values, rows


def rows_posted(posted: Mapping[str, str]) -> FormRows:
    """The rows a posted form had, so that it comes back with the same rows."""
    hours = {
        day: max(MIN_HOURS_ROWS, (max(_rows(posted, f"weekly_hours.{day}"), default=-1) + 1))
        for day in WEEKDAYS
    }
    days_off = max(_rows(posted, "days_off"), default=-1) + 1
    changed = max(_rows(posted, "changed_hours"), default=-1) + 1
    return FormRows(hours, max(days_off, SPARE_DAYS_OFF), max(changed, SPARE_CHANGED))
