"""Choice lists the engine provides, named like an author's own: ``choices: time_zones``.

A built-in list has nothing to keep up to date: ``time_zones`` is every IANA time zone the
system's database knows (``zoneinfo.available_timezones()``), sorted, each option's value and
label the zone's name (``Europe/London``), as a ``timezone`` question's answer is. A list the
definition defines under the same name is the definition's own and wins.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

TIME_ZONES = "time_zones"
#: Names in the database that are not places or zones to offer.
_NOT_ZONES = frozenset({"localtime", "Factory"})


@cache
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - _NOT_ZONES))


@cache
def _time_zone_options() -> tuple[dict[str, Any], ...]:
    return tuple({"value": name, "label": name} for name in zone_names())


def built_in() -> dict[str, list[dict[str, Any]]]:
    """Each built-in list by name, as raw options (fresh lists: callers may keep them)."""
    return {TIME_ZONES: list(_time_zone_options())}


def is_time_zone_question(question: Any) -> bool:
    """A ``timezone`` question, or a choice whose options are all time zones (``time_zones``)."""
    if question.type == "timezone":
        return True
    if question.type != "choice":
        return False
    zones = set(zone_names())
    return all(choice.value in zones for choice in question.choices)
