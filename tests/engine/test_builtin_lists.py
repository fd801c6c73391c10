"""The engine's own choice lists: ``choices: time_zones`` (issue 12)."""

from __future__ import annotations

import zoneinfo
from pathlib import Path

import pytest

from questionnaire.engine import DefinitionError, evaluate, load_file
from questionnaire.engine.dates import today_in
from questionnaire.engine.loader import load_text

from .builders import as_yaml, definition, load, page, question

ROOT = Path(__file__).resolve().parents[2]


def zone_question(**extra: object) -> dict[str, object]:
    return question("zone", "choice", choices="time_zones", widget="searchable", **extra)


def test_time_zones_offers_every_iana_zone_sorted() -> None:
    flow = evaluate(load(definition(page("p", zone_question()))), {"zone": "America/New_York"})
    (shown,) = flow.pages["p"].questions
    values = [c.value for c in shown.choices]
    assert values == sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    assert flow.answers == {"zone": "America/New_York"}
    assert shown.choices[values.index("Europe/London")].label == "Europe/London"


def test_a_choice_of_time_zones_gives_the_engagements_today() -> None:
    doc = definition(
        page("p", zone_question()),
        time_zone="zone",
        computed=[{"id": "now", "logic": {"var": "today"}}],
    )
    flow = evaluate(load(doc), {"zone": "Pacific/Kiritimati"})
    assert flow.computed["now"] == today_in("Pacific/Kiritimati").isoformat()


def test_time_zone_must_name_a_zone_question() -> None:
    other = {**question("zone", "choice"), "choices": [{"value": "uk", "label": "UK"}]}
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(definition(page("p", other), time_zone="zone")), "demo.yaml")
    (found,) = [d.format() for d in caught.value.diagnostics]
    assert "'time_zone' must name a timezone question or a choice of time_zones" in found


def test_a_definitions_own_list_of_that_name_wins() -> None:
    own = [{"value": "utc", "label": "UTC only"}]
    doc = definition(page("p", zone_question()), choice_lists={"time_zones": own})
    (shown,) = evaluate(load(doc), {}).pages["p"].questions
    assert [c.value for c in shown.choices] == ["utc"]


def test_pre_discovery_asks_its_time_zone_from_the_list() -> None:
    questionnaire = load_file(ROOT / "definitions" / "pre_discovery.yaml")
    timezone = questionnaire.questions["timezone"].question
    assert timezone.type == "choice" and getattr(timezone, "widget", None) == "searchable"
    assert "Europe/London" in {c.value for c in timezone.choices}
    assert questionnaire.definition.time_zone == "timezone"
