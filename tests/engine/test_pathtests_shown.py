"""Path tests and ``questionnaire simulate`` check what the respondent sees: labels after
piping, notes shown, problems, and one record's fields addressed as ``services[1].port``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from questionnaire.cli import main
from questionnaire.engine.pathtests import run_file

from .builders import as_yaml, definition, page, question

NAME = question("name", label="Service name")
PORT = question(
    "port", "integer", label="Port of {item.name}",
    constraints=[{"rule": {"<": [{"var": "value"}, 1024]}, "message": "{item.name}: use a port below 1024"}],
)  # fmt: skip
STICKY = question(
    "persistence", "yes_no", label="Does {item.name} need persistence?", required=False,
    show_if={"===": [{"var": "item.port"}, 443]},
    notes=[{"text": "Persistence pins {item.name} to one server", "show_if": {"var": "item.persistence"}}],
)  # fmt: skip
SERVICES = question("services", "repeat", max_items=3, questions=[NAME, PORT, STICKY])
DOC = definition(
    page(
        "services", SERVICES,
        notes=[{"text": "Ports below 1024 only", "show_if": {"var": "services.0.name"}}],
    )
)  # fmt: skip
ANSWERS = {
    "services": [
        {"name": "Web", "port": 80},
        {"name": "Shop", "port": 443, "persistence": True},
        {"name": "Mail", "port": 2525},
    ]
}


def _run(tmp_path: Path, expect: dict[str, Any]) -> list[str]:
    (tmp_path / "demo.yaml").write_text(as_yaml(DOC))
    case = {"name": "three services", "answers": ANSWERS, "expect": expect}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump({"definition": "demo.yaml", "cases": [case]}))
    results, diagnostics = run_file(tmp_path / "t.yaml")
    assert diagnostics == []
    return results[0].failures


def test_one_records_fields_texts_notes_and_problems_pass_as_the_respondent_sees_them(
    tmp_path: Path,
) -> None:
    expect = {
        "visible": ["services[1].persistence"],
        "hidden": ["services[0].persistence"],
        "text": {"services[1].port": "Port of Shop"},
        "notes": {
            "services[1].persistence": ["Persistence pins Shop to one server"],
            "services": ["Ports below 1024 only"],
        },
        "problems": {"services[2].port": "Mail: use a port below 1024"},
    }
    assert _run(tmp_path, expect) == []


def test_wrong_texts_notes_and_hidden_records_fail_with_what_was_seen(tmp_path: Path) -> None:
    expect = {
        "visible": ["services[0].persistence"],
        "text": {"services[1].port": "Port of Web", "services[0].persistence": "X"},
        "notes": {"services": []},
    }
    assert _run(tmp_path, expect) == [
        "'services[0].persistence' expected visible, but it is not shown",
        "text: 'services[0].persistence' is not shown, so its text cannot be 'X'",
        "text: 'services[1].port' expected 'Port of Web', got 'Port of Shop'",
        "notes: 'services' expected [], got ['Ports below 1024 only']",
    ]


def test_unknown_names_in_these_checks_are_errors(tmp_path: Path) -> None:
    expect = {
        "hidden": ["services[0].persistance"],
        "text": {"servces[0].name": "x", "services[3].name": "y"},
        "notes": {"nowhere": []},
        "problems": {"services[0].prot": "z"},
    }
    failures = _run(tmp_path, expect)
    assert failures[0] == (
        "hidden: 'persistance' in 'services[0].persistance' is not a question of 'services' "
        "(its questions are name, port, persistence) (did you mean 'persistence'?)"
    )
    assert "text: 'servces' in 'servces[0].name' is not a repeating group (did you mean " in (
        " ".join(failures)
    )
    assert "text: 'services' holds at most 3 records: 'services[3].name' never exists" in failures
    assert "notes: unknown question 'nowhere'" in failures
    assert any(f.startswith("problems: 'prot' in 'services[0].prot'") for f in failures)


def test_simulate_reports_piped_labels_and_notes_by_name(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(as_yaml(DOC))
    (tmp_path / "answers.json").write_text(json.dumps(ANSWERS))
    result = CliRunner().invoke(
        main, ["simulate", str(tmp_path / "demo.yaml"), str(tmp_path / "answers.json")]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["text"]["services[1].persistence"] == "Does Shop need persistence?"
    assert out["notes"] == {
        "services": ["Ports below 1024 only"],
        "services[1].persistence": ["Persistence pins Shop to one server"],
    }
    assert out["problems"] == {"services[2].port": "Mail: use a port below 1024"}
