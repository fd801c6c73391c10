"""Spans of time between two aware instants: what slots, bookings and busy times are made of."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Period", "merged", "utc"]


def utc(moment: datetime) -> datetime:
    """The same instant in UTC, refusing naive datetimes.

    Arithmetic and comparison of two datetimes that share a ``ZoneInfo`` are done on the wall
    clock, which is wrong across a daylight-saving change; in UTC they are done on instants.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone: scheduling needs aware datetimes")
    return moment.astimezone(UTC)


@dataclass(frozen=True, order=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded), both held in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise ValueError(f"a period must end after it starts: {self.start} to {self.end}")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Period) -> bool:
        """Whether the two share any instant; periods that only touch do not overlap."""
        return self.start < other.end and other.start < self.end

    def widened(self, margin: timedelta) -> Period:
        """The period with ``margin`` added on both sides (a buffer around a meeting)."""
        return Period(self.start - margin, self.end + margin)


def merged(periods: Iterable[Period]) -> list[Period]:
    """The periods sorted, with those that overlap or touch joined into one."""
    joined: list[Period] = []
    for period in sorted(periods):
        if joined and period.start <= joined[-1].end:
            if period.end > joined[-1].end:
                joined[-1] = Period(joined[-1].start, period.end)
        else:
            joined.append(period)
    return joined
