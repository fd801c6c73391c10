"""The settings of booking links and calendar feeds (``Settings.booking``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from questionnaire.scheduling import parse_zone

#: Their defaults, merged into ``settings.DEFAULTS`` (so the web app's configuration has them).
BOOKING_DEFAULTS: dict[str, Any] = {
    "BOOKING_LINK_EXPIRY_DAYS": 14,  # the send form's starting value
    # The zone of an engineer who has not saved their availability yet, and of the customer's
    # page before they choose one (when the questionnaire did not ask).
    "DEFAULT_TIME_ZONE": "Europe/London",
    "CALENDAR_FEED_MINUTES": 15,  # how often the worker fetches each engineer's feed
    "CALENDAR_FEED_TIMEOUT_SECONDS": 10,
    "CALENDAR_FEED_MAX_BYTES": 10_000_000,
    # Feeds on loopback and private addresses are refused (an engineer could otherwise make the
    # worker read the internal network); an intranet calendar server needs this on.
    "CALENDAR_FEED_PRIVATE_ADDRESSES": False,
}


LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class BookingSettings:
    link_expiry_days: int = 14
    default_zone: ZoneInfo = LONDON
    feed_minutes: int = 15
    feed_timeout: float = 10.0
    feed_max_bytes: int = 10_000_000
    feed_private_addresses: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BookingSettings:
        config = {**BOOKING_DEFAULTS, **config}
        zone = parse_zone(config["DEFAULT_TIME_ZONE"])
        if zone is None:
            raise ValueError(
                f"DEFAULT_TIME_ZONE must be an IANA zone, not {config['DEFAULT_TIME_ZONE']!r}"
            )
        return cls(
            link_expiry_days=_within("BOOKING_LINK_EXPIRY_DAYS", config, 1, 90),
            default_zone=zone,
            feed_minutes=_within("CALENDAR_FEED_MINUTES", config, 1, 24 * 60),
            feed_timeout=float(config["CALENDAR_FEED_TIMEOUT_SECONDS"]),
            feed_max_bytes=_within("CALENDAR_FEED_MAX_BYTES", config, 1000, 50_000_000),
            feed_private_addresses=bool(config["CALENDAR_FEED_PRIVATE_ADDRESSES"]),
        )


def _within(name: str, config: Mapping[str, Any], least: int, most: int) -> int:
    value = int(config[name])
    if not least <= value <= most:
        raise ValueError(f"{name} must be {least} to {most}, not {value}")
    return value
