"""Template lint: every mistake as `file:line:col: severity: message`, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from questionnaire.cli import main
from sow_prefill.lint import lint_templates

from .support import ROOT, TEMPLATES, questionnaire

BASE = """\
id: base
kind: base
title: SoW
sections:
  - id: header
    title: Header
    markdown: |
      Customer: {{ fact("customer", "Customer") }}
  - id: scope_in
    title: Scope
    markdown: |
      - HA pair: {{ answer("ha_pair") }}
  - id: risks
    title: Risks
    markdown: |
      - none
"""


def deployment(markdown: str, reads: str = "[is_medical]", section: str = "scope_in") -> str:
    body = "".join(f"      {line}\n" for line in markdown.splitlines())
    return (
        "id: extra\n"
        "title: Extra\n"
        'applies_if: {"var": "is_medical"}\n'
        f"reads: {reads}\n"
        "sections:\n"
        f"  - id: {section}\n"
        "    markdown: |\n"
        f"{body}"
    )


def lint(folder: Path, **files: str) -> list[str]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return [d.format() for d in lint_templates(folder, questionnaire())]


def at(folder: Path, name: str, needle: str, nth: int = 0) -> str:
    """`file:line:col` of the ``nth`` occurrence of ``needle`` in the file."""
    text = (folder / name).read_text()
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{folder / name}:{line}:{column}"


def test_the_shipped_templates_are_clean() -> None:
    assert lint_templates(TEMPLATES, questionnaire()) == []


def test_a_clean_deployment_template(tmp_path: Path) -> None:
    markdown = (
        '{% if value("ha_pair") %}{{ answer("ha_pair") }}{% endif %} {{ proposal("lb_mode") }}'
    )
    text = deployment(markdown, "[is_medical, ha_pair]")
    assert lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text}) == []


# YAML and schema ------------------------------------------------------------------------------


def test_yaml_syntax_error(tmp_path: Path) -> None:
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": "id: extra\ntitle: [unclosed\n"})
    assert found == [
        f"{tmp_path / 'extra.yaml'}:3:1: error: YAML syntax: did not find expected ',' or ']'"
    ]


def test_schema_errors_suggest_template_keys(tmp_path: Path) -> None:
    text = "id: extra\ntitle: Extra\nsectons: []\n"
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert found == [
        f"{tmp_path / 'extra.yaml'}:1:1: error: missing required key 'sections'",
        f"{at(tmp_path, 'extra.yaml', 'sectons')}: error: unknown key 'sectons' (did you mean 'sections'?)"
        " (at sectons)",
    ]


def test_no_base_template_and_two_base_templates(tmp_path: Path) -> None:
    assert lint(tmp_path, **{"extra.yaml": deployment("x")}) == [
        f"{tmp_path}:1:1: error: no base template ('kind: base') in this folder"
    ]
    found = lint(
        tmp_path, **{"base.yaml": BASE, "second.yaml": BASE.replace("id: base", "id: second")}
    )
    second = f"{at(tmp_path, 'second.yaml', 'kind: base')}: error: a second base template"
    assert f"{second} (the first is {tmp_path / 'base.yaml'}) (at kind)" in found


def test_missing_folder(tmp_path: Path) -> None:
    assert [d.format() for d in lint_templates(tmp_path / "nope", questionnaire())] == [
        f"{tmp_path / 'nope'}:1:1: error: templates folder not found"
    ]


# Jinja ----------------------------------------------------------------------------------------


def test_jinja_syntax_error_points_at_its_file_line(tmp_path: Path) -> None:
    markdown = 'line one\n{{ answer("ha_pair" }}'
    found = lint(
        tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment(markdown, "[is_medical, ha_pair]")}
    )
    assert found == [
        f"{at(tmp_path, 'extra.yaml', '{{')}: error: Jinja syntax: unexpected '}}', expected ')'"
    ]


def test_unknown_filter(tmp_path: Path) -> None:
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment("ok\n\n{{ 1 | shout }}")})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', '{{')}: error: Jinja syntax: No filter named 'shout'."
    ]


def test_unknown_function_name(tmp_path: Path) -> None:
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment('{{ anwser("x") }}')})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', 'anwser')}: error: unknown name 'anwser' (did you mean 'answer'?)"
    ]


# Ids --------------------------------------------------------------------------------------------


def test_unknown_answer_id_with_did_you_mean(tmp_path: Path) -> None:
    found = lint(tmp_path, **{"base.yaml": BASE.replace('answer("ha_pair")', 'answer("ha_pairr")')})
    assert found == [
        f'{at(tmp_path, "base.yaml", chr(34) + "ha_pairr")}: error: answer("ha_pairr"): unknown question or computed'
        " value 'ha_pairr' (did you mean 'ha_pair'?)"
    ]


def test_facts_and_computed_values_are_known(tmp_path: Path) -> None:
    markdown = (
        '{{ fact("sow_number") }} {{ fact("ps_days_sold") }} {{ answer("ha_nodes") }}'
        ' {% if value("vendor") %}x{% endif %}'
    )
    reads = "[is_medical, ps_days_sold, ha_nodes]"
    assert lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment(markdown, reads)}) == []


def test_unknown_fact(tmp_path: Path) -> None:
    found = lint(
        tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment('{{ fact("sow_numbr") }}')}
    )
    assert found == [
        f'{at(tmp_path, "extra.yaml", chr(34) + "sow_numbr")}: error: fact("sow_numbr"): unknown question, computed'
        " value or fact 'sow_numbr' (did you mean 'sow_number'?)"
    ]


def test_records_needs_a_repeating_group(tmp_path: Path) -> None:
    markdown = '{% for r in records("ha_pair") %}x{% endfor %}'
    found = lint(
        tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment(markdown, "[is_medical, ha_pair]")}
    )
    assert found == [
        f'{at(tmp_path, "extra.yaml", chr(34) + "ha_pair")}: error: records("ha_pair"):'
        " 'ha_pair' is not a repeating group"
    ]


def test_item_fields_must_belong_to_the_group(tmp_path: Path) -> None:
    markdown = (
        '{% for service in records("services") %}\n'
        "{% set s = service.data %}\n"
        '| {{ item(service, "prots") }} | {{ s.get("protocl") }} | {{ service.data.get("vipp") }} |\n'
        "{% endfor %}"
    )
    found = lint(
        tmp_path,
        **{"base.yaml": BASE, "extra.yaml": deployment(markdown, "[is_medical, services]")},
    )
    assert found == [
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'prots')}: error: 'prots' is not a field of 'services'"
        " (did you mean 'ports'?)",
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'protocl')}: error: 'protocl' is not a field of 'services'"
        " (did you mean 'protocol'?)",
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'vipp')}: error: 'vipp' is not a field of 'services'"
        " (did you mean 'vip'?)",
    ]


def test_unknown_proposal_topic(tmp_path: Path) -> None:
    markdown = (
        '{{ proposal("lb_mod") }} {{ proposal("mode_3") }} {{ proposal("risk_aci_failover") }}'
    )
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment(markdown)})
    # "risk_aci_failover" renders a placeholder without its guard, but it is a known topic.
    assert found == [
        f'{at(tmp_path, "extra.yaml", chr(34) + "lb_mod")}: error: proposal("lb_mod"): unknown topic'
        " (did you mean 'lb_mode'?)"
    ]


def test_applies_if_with_an_unknown_id(tmp_path: Path) -> None:
    text = deployment("x").replace('{"var": "is_medical"}', '{"var": "is_medicl"}')
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'var')}: error: applies_if reads unknown id 'is_medicl'"
        " (did you mean 'is_medical'?) (at applies_if.var)",
        f"{at(tmp_path, 'extra.yaml', 'is_medical]')}: warning: 'is_medical' is declared in 'reads' but never read"
        " (at reads[0])",
    ]


# reads ------------------------------------------------------------------------------------------


def test_reads_must_list_every_id_used_and_only_known_ones(tmp_path: Path) -> None:
    markdown = '{{ answer("ha_pair") }}\n{{ answer("form_factor") }} {% if value("form_factor") %}{% endif %}'
    text = deployment(markdown, "[is_medical, ha_pair, ha_pairs, timezone]")
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', 'ha_pairs')}: error: 'reads' names unknown id 'ha_pairs'"
        " (did you mean 'ha_pair'?) (at reads[2])",
        f"{at(tmp_path, 'extra.yaml', 'timezone')}: warning: 'timezone' is declared in 'reads'"
        " but never read (at reads[3])",
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'form_factor')}: error: 'form_factor' is read"
        " but not declared in 'reads'",
    ]


def test_applies_if_ids_must_be_declared_too(tmp_path: Path) -> None:
    text = deployment('{{ answer("ha_pair") }}', "[ha_pair]")
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', chr(34) + 'var')}: error: applies_if reads 'is_medical', which is not declared in"
        " 'reads' (at applies_if.var)"
    ]


# Sections -----------------------------------------------------------------------------------------


def test_sections_must_exist_in_the_base(tmp_path: Path) -> None:
    text = deployment('{{ answer("ha_pair") }}', "[is_medical, ha_pair]", section="scope_inn")
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert found == [
        f"{at(tmp_path, 'extra.yaml', 'id: scope_inn')}: error: section 'scope_inn' is not a section"
        " of the base template (did you mean 'scope_in'?) (at sections[0].id)"
    ]


def test_section_structure(tmp_path: Path) -> None:
    base = BASE.replace("    title: Risks\n", "")
    text = deployment('{{ answer("ha_pair") }}', "[is_medical, ha_pair]").replace(
        "    markdown: |", "    title: Ignored\n    markdown: |"
    )
    text += "  - id: scope_in\n    markdown: |\n      again\n"
    text = text.replace('applies_if: {"var": "is_medical"}\n', "").replace(
        "[is_medical, ha_pair]", "[ha_pair]"
    )
    found = lint(tmp_path, **{"base.yaml": base, "extra.yaml": text})
    assert found == [
        f"{at(tmp_path, 'base.yaml', 'id: risks')}: error: section 'risks' needs a title in the base template"
        " (at sections[2])",
        f"{at(tmp_path, 'extra.yaml', 'id: extra')}: warning: no 'applies_if': this template is added"
        " to every SoW (at id)",
        f"{at(tmp_path, 'extra.yaml', 'title: Ignored')}: warning: a deployment template's section title is not used"
        " (at sections[0].title)",
        f"{at(tmp_path, 'extra.yaml', 'id: scope_in', 1)}: error: section 'scope_in' appears twice in this template"
        " (at sections[1].id)",
    ]


# Warnings and the trial render --------------------------------------------------------------------


def test_output_that_bypasses_the_record_or_is_escaped_twice(tmp_path: Path) -> None:
    markdown = (
        '{{ value("ha_pair") }}\n{{ answer("ha_pair") ~ "!" }} {{ placeholder("X") | upper }}'
    )
    found = lint(
        tmp_path, **{"base.yaml": BASE, "extra.yaml": deployment(markdown, "[is_medical, ha_pair]")}
    )
    twice = "returns Markdown: '~' or a filter turns it into text that is escaped again; write the pieces side by side"
    assert found == [
        f"{at(tmp_path, 'extra.yaml', 'value(')}: warning: value() output is not recorded: use answer() for text"
        " the SoW shows",
        f"{at(tmp_path, 'extra.yaml', 'answer(')}: warning: answer() {twice}",
        f"{at(tmp_path, 'extra.yaml', 'placeholder(')}: warning: placeholder() {twice}",
    ]


@pytest.mark.parametrize(
    ("markdown", "reads", "message"),
    [
        ("{{ (value('ha_nodes') or 1) / 0 }}", ", ha_nodes", "ZeroDivisionError: division by zero"),
        ("{{ today.nope.deeper }}", "", "'str object' has no attribute 'nope'"),
        ("{{ answer() }}", "", "TypeError: "),
        ("{{ 'a' * 100000 }}", "", "not allowed: repeating text or lists more than 10000 times"),
    ],
)
def test_the_trial_render_catches_the_rest(
    tmp_path: Path, markdown: str, reads: str, message: str
) -> None:
    text = deployment(f"fine\n{markdown}", f"[is_medical{reads}]")
    found = lint(tmp_path, **{"base.yaml": BASE, "extra.yaml": text})
    assert len(found) == 1
    prefix = f"{at(tmp_path, 'extra.yaml', '{{')}: error: trial render with no answers failed: section 'scope_in': "
    assert found[0].startswith(prefix + message)


# The command line -----------------------------------------------------------------------------------


def test_questionnaire_lint_passes_on_the_shipped_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0, result.output
    assert (
        "2 definition(s) loaded, 0 error(s), 0 warning(s), templates in templates checked"
        in result.output
    )


def test_questionnaire_lint_reports_a_planted_mistake_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    base = folder / "base.yaml"
    text = base.read_text()
    planted = text.replace(
        'answer("ha_pair", "HA pair") }})', 'answer("ha_pairr", "HA pair") }})', 1
    )
    assert planted != text
    base.write_text(planted)
    result = CliRunner().invoke(
        main, ["lint", str(ROOT / "definitions"), "--templates", str(folder)]
    )
    assert result.exit_code == 1
    expected = (
        f'{at(folder, "base.yaml", chr(34) + "ha_pairr")}: error: answer("ha_pairr"): unknown question or computed'
        " value 'ha_pairr' (did you mean 'ha_pair'?)"
    )
    assert expected in result.output
    assert "2 definition(s) loaded, 1 error(s), 0 warning(s)" in result.output


def test_templates_are_checked_only_against_the_pre_discovery_definition_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    shutil.copy(ROOT / "definitions" / "pre_discovery.yaml", definitions / "other.yaml")
    text = (definitions / "other.yaml").read_text().replace("id: pre_discovery", "id: other", 1)
    (definitions / "other.yaml").write_text(text)
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0, result.output
    assert "templates" not in result.output
    # Named explicitly, the templates are checked against every definition that loaded.
    result = CliRunner().invoke(main, ["lint", "--templates", "templates"])
    assert result.exit_code == 1
    assert "templates:1:1: error: no base template ('kind: base') in this folder" in result.output
