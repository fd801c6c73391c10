"""The README's worked example is a real, clean definition."""

from __future__ import annotations

import re
from pathlib import Path

from questionnaire.engine import evaluate, load_text
from questionnaire.services.settings import DEFAULTS

README = Path(__file__).resolve().parents[1] / "README.md"


def _worked_example() -> str:
    text = README.read_text()
    section = text.split("### A complete worked example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match
    return match.group(1)


def test_worked_example_loads_without_warnings() -> None:
    questionnaire = load_text(_worked_example(), "README.md")
    assert questionnaire.warnings == ()
    flow = evaluate(
        questionnaire,
        {
            "organisation": "Acme",
            "deployment_types": ["medical"],
            "network_fabric": "cisco_aci",
            "ha_pair": False,
            "aci_admin": "Network team",
            "services": [{"protocol": "https", "tls": "terminate", "port": 443}],
        },
    )
    assert flow.path == ("organisation", "network", "aci", "services")
    assert flow.complete
    assert flow.pages["aci"].questions[0].label == "Who administers Acme's fabric?"


#: Flask's own and Flask-WTF's settings, set for their defaults' sake, not ours to document.
FRAMEWORK_SETTINGS = {"WTF_CSRF_TIME_LIMIT", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE"}


def test_every_setting_has_a_row_in_the_configuration_table() -> None:
    table = README.read_text().split("\n| setting | default | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)`(?:, `([A-Z][A-Z0-9_]+)`)?", table, re.M)
    documented = {name for row in rows for name in row if name}
    missing = sorted(set(DEFAULTS) - FRAMEWORK_SETTINGS - documented)
    assert missing == []
