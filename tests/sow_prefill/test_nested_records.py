"""Nested records in SoW templates (issue 12): ``records(service, "real_servers")`` lists the
real servers of one service, ``item(server, "ip")`` fills each with its provenance, and the
linter checks the nested group's name and fields with file, line and column."""

from __future__ import annotations

from pathlib import Path

from questionnaire.engine import load_text
from sow_prefill.lint import lint_templates
from sow_prefill.prefill import PrefillInput, prefill
from sow_prefill.templates import load_library

from .test_lint import at

DEFINITION = """\
id: nested
title: Nested
version: "1"
pages:
  - id: services
    title: Services
    questions:
      - id: services
        type: repeat
        label: Services
        item_label: Service
        questions:
          - {id: name, type: text, label: Service name}
          - id: real_servers
            type: repeat
            label: Real servers
            item_label: Real server
            required: false
            questions:
              - {id: ip, type: ip_address, label: IP address}
              - {id: port, type: port, label: Port, required: false}
    next: review
"""
Q = load_text(DEFINITION, "nested.yaml")


def base(markdown: str) -> str:
    body = "".join(f"      {line}\n" for line in markdown.splitlines())
    return (
        "id: base\nkind: base\ntitle: SoW\nsections:\n"
        "  - id: scope_in\n    title: Scope\n    markdown: |\n"
        f"{body}"
    )


SERVERS = (
    '{% for service in records("services") %}\n'
    '- {{ item(service, "name") }}:'
    '{% for server in records(service, "real_servers") %} {{ item(server, "ip") }}'
    '{% if server.data.get("port") %}:{{ item(server, "port") }}{% endif %}{% endfor %}\n'
    "{% endfor %}"
)


def test_a_service_s_real_servers_are_listed_with_their_provenance(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(base(SERVERS))
    servers = [{"ip": "10.0.0.1", "port": 8443}, {"ip": "10.0.0.2"}]
    answers = {"services": [{"name": "Web", "real_servers": servers}, {"name": "Mail"}]}
    draft = prefill(load_library(tmp_path), PrefillInput(answers, questions=Q.models))
    body = draft.sections[0].markdown
    assert "- Web: 10\\.0.0.1:8443 10\\.0.0.2" in body  # Markdown-escaped
    assert "- Mail:" in body
    fields = {f.key: f for f in draft.fields}
    assert fields["services[0].real_servers[0].ip"].label == "IP address (service 1, real server 1)"
    provenance = fields["services[0].real_servers[1].ip"].provenance
    assert provenance is not None and provenance.value == "10.0.0.2"


def test_the_template_lint_is_clean_for_nested_records(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(base(SERVERS))
    assert lint_templates(tmp_path, Q) == []


def test_nested_names_and_fields_are_linted_with_locations(tmp_path: Path) -> None:
    markdown = (
        '{% for service in records("services") %}\n'
        '{% for server in records(service, "real_server") %}x{% endfor %}\n'
        '{% for server in records(service, "real_servers") %}{{ item(server, "ipp") }}{% endfor %}\n'
        '{% for other in records(nothing, "real_servers") %}x{% endfor %}\n'
        "{% endfor %}"
    )
    (tmp_path / "base.yaml").write_text(base(markdown))
    found = [d.format() for d in lint_templates(tmp_path, Q)]
    assert (
        f"{at(tmp_path, 'base.yaml', chr(34) + 'real_server' + chr(34))}: error: "
        "records(service, \"real_server\"): 'real_server' is not a repeating group inside "
        "'services' (the groups inside 'services' are real_servers) (did you mean 'real_servers'?)"
    ) in found
    assert (
        f"{at(tmp_path, 'base.yaml', chr(34) + 'ipp')}: error: 'ipp' is not a field of "
        "'services.real_servers' (did you mean 'ip'?)"
    ) in found
    assert any(
        "records(nothing, \"real_servers\"): 'nothing' is not a record of a group" in f
        for f in found
    )
