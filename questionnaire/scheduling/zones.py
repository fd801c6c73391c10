"""IANA time zones as engineers and customers choose them."""

from __future__ import annotations

import zoneinfo
from functools import cache

__all__ = ["parse_zone", "zone_choices"]

#: Old aliases and fixed offsets that tzdata keeps for compatibility; still accepted when typed,
#: but not offered in a list, where they would only sit beside the real place names.
_NOT_OFFERED = ("Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


@cache
def _known() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_zone(value: object) -> zoneinfo.ZoneInfo | None:
    """The zone named ``value`` (such as ``Europe/London``), or None if there is no such zone.

    Only names in the IANA database are looked up, so a path or a control character never
    reaches the file system.
    """
    if not isinstance(value, str) or value.strip() not in _known():
        return None
    return zoneinfo.ZoneInfo(value.strip())


@cache
def zone_choices() -> tuple[str, ...]:
    """Every place name, sorted, for a list to choose from; plus UTC."""
    places = (name for name in _known() if "/" in name and not name.startswith(_NOT_OFFERED))
    return ("UTC", *sorted(places))
