"""What the customer handover document must show tested: the virtual services and GSLB
configurations agreed in the accepted SoW, and for each whether a functional test passed.

The seed asks for "the functional testing for each of the virtual services and/or GSLB
configurations agreed in the SoW (as a minimum)". The agreed virtual services are the ones the
customer listed in the questionnaire the SoW was made from (named as the PDR's first revision
names them); GSLB is agreed when the SoW says it is in scope. Its global names are settled in the
PDR, not the SoW: each one there needs its test, and with none recorded yet one GSLB test stands
for the configuration. Targets are matched by kind and name, ignoring case and outer spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

VIRTUAL_SERVICE, GSLB = "virtual_service", "gslb"
KINDS = {VIRTUAL_SERVICE: "Virtual service", GSLB: "GSLB"}
PASS, FAIL = "pass", "fail"
#: The one GSLB target while the PDR names no global name yet.
GSLB_CONFIGURATION = "GSLB configuration"
#: The SoW pre-fill's field that says whether GSLB is in scope.
GSLB_FIELD = "needs_gslb"


@dataclass(frozen=True)
class Target:
    """A virtual service or a GSLB configuration, by kind and name."""

    kind: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.name.strip().casefold()

    @property
    def label(self) -> str:
        if self.kind == GSLB and self.name == GSLB_CONFIGURATION:
            return "The GSLB configuration"
        return f"{KINDS.get(self.kind, self.kind)} {self.name}"


@dataclass(frozen=True)
class Result:
    """A recorded test, as far as the checklist reads it (newer ids were recorded later)."""

    id: int
    target: Target
    outcome: str
    tested_on: date


@dataclass(frozen=True)
class Item:
    """One agreed target: whether any test of it passed, and its latest result."""

    target: Target
    passed: bool
    latest: Result | None


def service_name(service: Mapping[str, Any], index: int) -> str:
    """A questionnaire service's name, as the PDR's first revision gives it."""
    return str(service.get("name") or f"Service {index + 1}").strip()


def agreed_targets(
    answers: Mapping[str, Any], sow_fields: Iterable[Any], pdr: Mapping[str, Any]
) -> tuple[Target, ...]:
    """The targets agreed in the SoW: its services, then its GSLB configurations."""
    services = answers.get("services")
    targets = [
        Target(VIRTUAL_SERVICE, service_name(service, index))
        for index, service in enumerate(services if isinstance(services, list) else [])
        if isinstance(service, Mapping)
    ]
    if gslb_agreed(sow_fields):
        names = _names(pdr.get("gslb"))
        targets += [Target(GSLB, name) for name in names] or [Target(GSLB, GSLB_CONFIGURATION)]
    return _distinct(targets)


def gslb_agreed(sow_fields: Iterable[Any]) -> bool:
    """Whether the SoW's pre-fill recorded GSLB as in scope."""
    for field in sow_fields:
        if isinstance(field, Mapping) and field.get("key") == GSLB_FIELD:
            provenance = field.get("provenance")
            if isinstance(provenance, Mapping) and provenance.get("value") is True:
                return True
    return False


def pdr_targets(pdr: Mapping[str, Any]) -> tuple[Target, ...]:
    """The targets the PDR names: its virtual services and its GSLB global names."""
    services = [Target(VIRTUAL_SERVICE, name) for name in _names(pdr.get("virtual_services"))]
    return _distinct([*services, *(Target(GSLB, name) for name in _names(pdr.get("gslb")))])


def testable(agreed: Sequence[Target], pdr: Mapping[str, Any]) -> tuple[Target, ...]:
    """What a test may be recorded against: an agreed target or one the PDR names."""
    return _distinct([*agreed, *pdr_targets(pdr)])


def checklist(agreed: Iterable[Target], results: Iterable[Result]) -> tuple[Item, ...]:
    by_target: dict[tuple[str, str], list[Result]] = {}
    for result in results:
        by_target.setdefault(result.target.key, []).append(result)
    items = []
    for target in agreed:
        found = by_target.get(target.key, [])
        latest = max(found, key=lambda r: (r.tested_on, r.id), default=None)
        items.append(Item(target, any(r.outcome == PASS for r in found), latest))
    return tuple(items)


def missing(items: Iterable[Item]) -> tuple[Target, ...]:
    """The agreed targets with no passing test: while any is left, nothing can be issued."""
    return tuple(item.target for item in items if not item.passed)


def _names(rows: Any) -> list[str]:
    if not isinstance(rows, list):
        return []
    names = (str(row.get("name") or "").strip() for row in rows if isinstance(row, Mapping))
    return [name for name in names if name]


def _distinct(targets: Iterable[Target]) -> tuple[Target, ...]:
    seen: dict[tuple[str, str], Target] = {}
    for target in targets:
        seen.setdefault(target.key, target)
    return tuple(seen.values())
