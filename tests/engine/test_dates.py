"""Dates (issue 12): today in the engagement's time zone, date differences, bounds relative to
today, and numbers and dates piped as people write them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from questionnaire.cli import main
from questionnaire.engine import DefinitionError, evaluate
from questionnaire.engine.dates import add_months, months_between, today_in
from questionnaire.engine.loader import load_text
from questionnaire.engine.pathtests import run_file

from .builders import as_yaml, definition, load, page, question

TODAY = date(2027, 3, 3)


def computed(logic: Any, *questions: dict[str, Any]) -> Any:
    doc = definition(page("p", *questions), computed=[{"id": "result", "logic": logic}])
    return lambda answers, today=TODAY: evaluate(load(doc), answers, today=today).computed["result"]


def test_today_is_an_iso_date_rules_can_compare() -> None:
    value = computed({"<": [{"var": "go_live"}, {"var": "today"}]}, question("go_live", "date"))
    assert value({"go_live": "2027-03-02"}) is True
    assert value({"go_live": "2027-03-03"}) is False


def test_date_differences_in_days_months_and_years() -> None:
    born = question("born", "date")
    age = computed({"years_between": [{"var": "born"}, {"var": "today"}]}, born)
    assert age({"born": "1990-03-03"}) == 37
    assert age({"born": "1990-03-04"}) == 36  # the birthday is tomorrow
    days = computed({"days_between": [{"var": "today"}, {"var": "born"}]}, born)
    assert days({"born": "2027-04-02"}) == 30
    months = computed({"months_between": [{"var": "born"}, {"var": "today"}]}, born)
    assert months({"born": "2027-01-31"}) == 1
    assert months({}) is None  # unanswered: null, as any failed evaluation


def test_months_clamp_to_the_end_of_a_month() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert months_between(date(2027, 1, 31), date(2027, 2, 28)) == 1
    assert months_between(date(2027, 3, 3), date(2027, 1, 4)) == -1


def test_today_is_taken_in_the_time_zone_the_definition_names() -> None:
    doc = definition(
        page("p", question("zone", "timezone"), question("x")),
        computed=[{"id": "today_is", "logic": {"var": "today"}}],
        time_zone="zone",
    )
    questionnaire = load(doc)
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        expected = datetime.now(UTC).astimezone(ZoneInfo(zone)).date().isoformat()
        assert evaluate(questionnaire, {"zone": zone}).computed["today_is"] == expected
    utc = datetime.now(UTC).date().isoformat()
    assert evaluate(questionnaire, {}).computed["today_is"] == utc
    assert today_in("Not/AZone") == datetime.now(UTC).date()


def test_time_zone_must_name_a_timezone_question() -> None:
    doc = definition(page("p", question("zone")), time_zone="zone")
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    assert "a choice of time_zones; 'zone' is a text question" in str(caught.value)


def test_bounds_relative_to_today_are_problems_with_the_answer_kept() -> None:
    go_live = question("go_live", "date", min="today", max="today+1y")
    questionnaire = load(definition(page("p", go_live)))
    past = evaluate(questionnaire, {"go_live": "2027-03-02"}, today=TODAY)
    assert past.pages["p"].problems == {"go_live": "Enter a date on or after 3 March 2027"}
    assert past.answers == {"go_live": "2027-03-02"}
    later = evaluate(questionnaire, {"go_live": "2028-03-04"}, today=TODAY)
    assert later.pages["p"].problems == {"go_live": "Enter a date on or before 3 March 2028"}
    assert evaluate(questionnaire, {"go_live": "2027-03-03"}, today=TODAY).pages["p"].problems == {}


def test_a_relative_bound_that_is_not_one_is_refused() -> None:
    doc = definition(page("p", question("d", "date", min="tomorrow")))
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    assert "(at pages[0].questions[0].min)" in str(caught.value)


def test_numbers_and_dates_are_piped_as_people_write_them() -> None:
    doc = definition(
        page(
            "p",
            question("users", "integer", unit="users"),
            question("share", "decimal"),
            question("go_live", "date"),
            question("x", label="{users} and {share} from {go_live} (asked on {today})"),
        )
    )
    answers = {"users": 1250, "share": 1234.5, "go_live": "2027-03-03"}
    shown = evaluate(load(doc), answers, today=date(2026, 12, 2)).pages["p"].questions[-1]
    assert shown.label == "1,250 users and 1,234.5 from 3 March 2027 (asked on 2 December 2026)"


def test_path_tests_and_simulate_take_the_date(tmp_path: Path) -> None:
    go_live = question("go_live", "date", min="today")
    (tmp_path / "demo.yaml").write_text(as_yaml(definition(page("p", go_live))))
    case = {"answers": {"go_live": "2027-03-02"}, "expect": {"problems": {}}}
    cases = [
        {"name": "before", "today": "2027-03-01", **case},
        {"name": "after", "today": "2027-03-03", **case},
    ]
    (tmp_path / "t.yaml").write_text(as_yaml({"definition": "demo.yaml", "cases": cases}))
    (before, after), _ = run_file(tmp_path / "t.yaml")
    assert before.failures == []
    assert after.failures == [
        "problems: expected {}, got {'go_live': 'Enter a date on or after 3 March 2027'}"
    ]
    result = CliRunner().invoke(
        main,
        ["simulate", str(tmp_path / "demo.yaml"), "-", "--today", "2027-03-03"],
        input='{"go_live": "2027-03-02"}',
    )
    assert result.exit_code == 0, result.output
    assert '"go_live": "Enter a date on or after 3 March 2027"' in result.output
