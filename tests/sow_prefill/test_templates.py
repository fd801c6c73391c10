"""The shipped SoW templates, pre-filled from the questionnaire's path-test answer sets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from questionnaire.engine import DefinitionError
from sow_prefill.markdown_text import escape
from sow_prefill.model import PLACEHOLDER, Draft
from sow_prefill.prefill import prefill
from sow_prefill.recommend import recommendations
from sow_prefill.templates import load_library

from .support import (
    ABANDONED,
    ACI,
    ACI_DR,
    ALL_TYPES,
    AWS,
    EMPTY,
    GENERAL,
    MEDICAL,
    STORAGE,
    STORAGE_WAF,
    TELEPHONY,
    TRADITIONAL,
    WAF,
    answers,
    case_names,
    draft,
    draft_of,
    library,
    prefill_input,
)

BASE_SECTIONS = [
    "header", "background", "objectives", "scope_in", "scope_out", "deliverables", "configuration",
    "assumptions", "customer_responsibilities", "risks", "schedule", "acceptance", "change_control",
    "sign_off",
]  # fmt: skip
CONTRIBUTED = ["scope_in", "deliverables", "configuration", "assumptions"]


def section(d: Draft, section_id: str) -> str:
    return next(s.markdown for s in d.sections if s.id == section_id)


def filled(d: Draft, key: str) -> tuple[str, object, str]:
    found = [f for f in d.fields if f.key == key and f.filled]
    assert found, f"{key} is not filled"
    provenance = found[0].provenance
    assert provenance is not None
    return provenance.source, provenance.value, provenance.display


def placeholder(label: str) -> str:
    return escape(PLACEHOLDER.format(label=label))


# Which templates apply -------------------------------------------------------------------------


def test_base_sections_in_order() -> None:
    assert [s.id for s in library().base.spec.sections] == BASE_SECTIONS
    assert [t.id for t in library().deployments] == ["medical", "storage", "telephony", "waf"]


@pytest.mark.parametrize(
    ("case", "templates", "title"),
    [
        (MEDICAL, ("medical",), "Statement of Work: Medical imaging"),
        (STORAGE, ("storage",), "Statement of Work: Object storage"),
        (WAF, ("waf",), "Statement of Work: Web application firewall"),
        (TELEPHONY, ("telephony",), "Statement of Work: Telephony"),
        (GENERAL, (), "Statement of Work: General"),
        (
            STORAGE_WAF,
            ("storage", "waf"),
            "Statement of Work: Object storage + Web application firewall",
        ),
        (ALL_TYPES, ("medical", "storage", "telephony", "waf"), None),
    ],
)
def test_the_right_templates_apply(
    case: str, templates: tuple[str, ...], title: str | None
) -> None:
    d = draft_of(case)
    assert d.templates == templates
    assert [s.id for s in d.sections] == BASE_SECTIONS
    if title:
        assert d.title == title


@pytest.mark.parametrize(
    ("case", "heading"),
    [
        (MEDICAL, "### Medical imaging"),
        (STORAGE, "### Object storage"),
        (WAF, "### Web application firewall"),
        (TELEPHONY, "### Telephony"),
    ],
)
def test_each_template_adds_to_the_base_sections(case: str, heading: str) -> None:
    d = draft_of(case)
    for section_id in CONTRIBUTED:
        body = section(d, section_id)
        assert body.count(heading) == 1, section_id
        # The base's own content comes first, then the template's.
        assert not body.startswith(heading), section_id


def test_several_types_make_one_sow_with_each_contribution_in_its_section() -> None:
    d = draft_of(STORAGE_WAF)
    text = d.markdown()
    assert text.count("\n## Scope\n") == 1
    for section_id in CONTRIBUTED:
        body = section(d, section_id)
        assert body.index("### Object storage") < body.index("### Web application firewall")
    assert "/minio/health/live" in section(d, "configuration")
    assert "Detection mode for 14 days" in section(d, "configuration")


def test_medical_content() -> None:
    d = draft_of(MEDICAL)
    configuration = section(d, "configuration")
    assert (
        "| AE titles for C-ECHO | PACS01 on 104, PACS02 on 104; calling AE LB\\_ECHO |"
        in configuration
    )
    assert "DICOM C-ECHO with the AE titles given" in configuration
    assert "| D6. Web viewer virtual service |" in section(d, "deliverables")
    assert "| D7. DICOM store virtual service |" in section(d, "deliverables")
    assert "HL7 virtual service" not in section(d, "deliverables")  # not chosen


def test_medical_legacy_modalities_rule_out_gslb() -> None:
    d = draft_of("Multi-site medical with fixed-address modalities")
    assert "risk_gslb_legacy" in {p.topic for p in d.proposals}
    assert "Keep legacy modalities on a site VIP" in section(d, "risks")
    assert "with GSLB for DNS-aware clients only" in section(d, "scope_in")


def test_storage_content() -> None:
    d = draft_of(STORAGE)
    configuration = section(d, "configuration")
    assert "| S3 endpoint names | s3.example.com; \\*.s3.example.com |" in configuration
    assert "HTTP GET /minio/health/live, expecting 200 OK" in configuration
    assert "No persistence; weighted least connections" in configuration
    assert "virtual-hosted-style" in section(d, "deliverables")
    assert "GSLB across the 2 sites" in section(d, "scope_in")


def test_waf_content() -> None:
    d = draft_of(WAF)
    configuration = section(d, "configuration")
    assert "Detection mode for 14 days, tuning out false positives, then blocking" in configuration
    assert "| TLS | Decrypted on the load balancer before inspection |" in configuration
    assert "203\\.0.113.0/28 \\(vulnerability scanner\\)" in configuration
    assert "siem.example.com, syslog over UDP 514" in section(d, "deliverables")
    assert "detection mode for 14 days" in section(d, "schedule")


def deliverable_numbers(d: Draft) -> list[str]:
    return re.findall(r"^\| ([A-Z]+\d+)\. ", section(d, "deliverables"), re.MULTILINE)


@pytest.mark.parametrize("case", [MEDICAL, STORAGE_WAF, TELEPHONY, ALL_TYPES, GENERAL, EMPTY])
def test_deliverables_are_numbered_d1_on_whatever_templates_are_combined(case: str) -> None:
    d = draft_of(case)
    numbers = deliverable_numbers(d)
    assert numbers == [f"D{n}" for n in range(1, len(numbers) + 1)], numbers
    assert len(numbers) >= 5
    milestones = re.findall(r"^\| (M\d+)\. ", section(d, "schedule"), re.MULTILINE)
    assert milestones == ["M1", "M2", "M3", "M4", "M5"]
    assert not set(numbers) & set(milestones)


def test_a_later_section_names_a_deliverable_by_its_number() -> None:
    d = draft_of(STORAGE_WAF)
    blocking = re.search(r"^\| (D\d+)\. Blocking mode \|", section(d, "deliverables"), re.MULTILINE)
    assert blocking is not None
    assert f"acceptance of {blocking.group(1)} follows the tuning period" in section(d, "schedule")


def test_a_deliverable_named_but_never_listed_is_left_to_confirm(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "id: base\nkind: base\ntitle: SoW\nsections:\n"
        "  - id: deliverables\n    title: Deliverables\n    markdown: |\n"
        '      {{ deliverable("a") }}. A, {{ deliverable("b") }}. B, {{ deliverable("a") }} again\n'
        "  - id: schedule\n    title: Schedule\n    markdown: |\n"
        '      After {{ deliverable("b") }} and {{ deliverable("c") }}\n'
    )
    d = prefill(load_library(tmp_path), prefill_input(answers(EMPTY)))
    assert section(d, "deliverables") == "D1. A, D2. B, D1 again"
    assert section(d, "schedule") == f"After D2 and **{placeholder('Deliverable c')}**"
    assert [f.label for f in d.checklist] == ["Deliverable c"]


def test_waf_blocking_from_the_start_is_a_risk() -> None:
    data = answers(WAF)
    data["waf_start_mode"] = "blocking"
    d = draft(data)
    assert "Blocking from day one may stop legitimate requests" in section(d, "risks")
    assert "waf_tuning_days" in {x["question"] for x in d.dropped}


def test_telephony_content() -> None:
    d = draft_of(TELEPHONY)
    configuration = section(d, "configuration")
    assert "Layer 4 with SIP Call-ID persistence for SIP over UDP" in configuration
    assert "SIP OPTIONS, expecting 200 OK" in configuration
    assert "| Media (RTP) through the load balancer | No |" in configuration
    # The portals get a WAF although WAF is not a deployment type of its own.
    assert "The WAF gateway for the portals: **Proposed:** Detection mode" in configuration
    assert "Media (RTP) is not in scope" in section(d, "scope_in")


# Provenance, placeholders and the checklist ---------------------------------------------------


def test_filled_fields_carry_their_provenance() -> None:
    d = draft_of(MEDICAL, facts={"customer": "Northshire Health NHS Trust", "ps_days_sold": 5})
    assert filled(d, "ha_pair") == ("answer", True, "Yes")
    assert filled(d, "medical_services") == (
        "answer",
        ["web_viewer", "dicom_store"],
        "Web viewer, DICOM store (C-STORE)",
    )
    assert filled(d, "services[0].vip") == ("answer", "10.20.0.50", "10.20.0.50")
    assert filled(d, "services[0].protocol") == ("answer", "https", "HTTPS")
    assert filled(d, "ha_nodes") == ("computed", 2, "2")
    assert filled(d, "customer") == (
        "fact",
        "Northshire Health NHS Trust",
        "Northshire Health NHS Trust",
    )
    # Facts come first, then the customer's answer.
    assert filled(d, "ps_days_sold") == ("fact", 5, "5")
    assert filled(draft_of(MEDICAL), "ps_days_sold") == ("answer", 3, "3")
    header = section(d, "header")
    assert "| Customer | Northshire Health NHS Trust |" in header
    assert "| Professional services days sold | 5 |" in header


def test_unfilled_items_are_placeholders_listed_once_in_the_checklist_at_the_top() -> None:
    d = draft_of(MEDICAL)
    keys = [f.key for f in d.checklist]
    assert len(keys) == len(set(keys))
    assert {"sow_number", "agreement", "services[1].vip", "services[1].real_servers"} <= set(keys)
    text = d.markdown()
    lines = text.splitlines()
    assert lines[2] == "## To confirm on the discovery call"
    checklist = lines[4 : 4 + len(keys)]
    assert all(line.startswith("- [ ] ") for line in checklist)
    assert "- [ ] Virtual IP address (service 2) (Configuration to be built)" in checklist
    body = text.split("\n## ", 2)[2]
    for item in d.checklist:
        assert placeholder(item.label) in body, item.label
    # The governing agreement is asked for in two sections but listed once.
    assert sum("Governing agreement" in line for line in checklist) == 1


def test_a_value_read_in_several_places_has_one_provenance_row() -> None:
    d = draft_of(MEDICAL, facts={"ps_days_sold": 5})
    assert section(d, "schedule").count("5") >= 2  # the schedule reads it twice, the header once
    (row,) = [f for f in d.fields if f.key == "ps_days_sold"]
    assert (row.section, row.provenance and row.provenance.source) == ("header", "fact")
    (modalities,) = [f for f in d.fields if f.key == "medical_modality_count"]
    assert modalities.section == "background"


@pytest.mark.parametrize("name", case_names())
def test_the_provenance_lists_each_field_once(name: str) -> None:
    d = draft(answers(name))
    keys = [(f.key, f.filled) for f in d.fields]
    assert len(keys) == len(set(keys))
    assert [f.key for f in d.checklist] == [f.key for f in d.fields if not f.filled]


def test_with_no_answers_every_question_is_a_placeholder() -> None:
    d = draft_of(EMPTY)
    answered = [
        f for f in d.fields if f.filled and f.provenance and f.provenance.source == "answer"
    ]
    assert answered == []
    assert {"organisation", "load_balancing_summary", "ha_pair", "form_factor", "timezone"} <= {
        f.key for f in d.checklist
    }
    assert placeholder("Virtual services") in section(d, "configuration")
    assert "Proposal for" not in d.markdown()


def test_optional_answers_left_blank_do_not_make_placeholders() -> None:
    d = draft_of(MEDICAL)
    keys = {f.key for f in d.checklist}
    assert not keys & {
        "dns_server_2",
        "ntp_server_2",
        "network_notes",
        "other_contacts",
        "remote_access_notes",
    }


# Proposals --------------------------------------------------------------------------------------


def proposal(d: Draft, topic: str) -> tuple[str, str]:
    found = {p.topic: p for p in d.proposals}
    assert topic in found, f"no proposal {topic}: {sorted(found)}"
    return found[topic].text, found[topic].reason


def test_aci_proposes_snat_or_layer_7_and_the_failover_risk() -> None:
    d = draft_of(ACI)
    text, reason = proposal(d, "lb_mode")
    assert "SNAT" in text and "layer 7" in text
    assert "Cisco ACI" in reason
    text, reason = proposal(d, "risk_aci_failover")
    assert "ARP flooding" in text and "gratuitous ARP" in reason
    risks = section(d, "risks")
    assert "**Proposed:** Cisco ACI: enable ARP flooding" in risks
    assert "*(why: otherwise the fabric may ignore the gratuitous ARP" in risks
    assert "DR" not in text


def test_dr_when_servers_can_be_changed_and_not_aci() -> None:
    d = draft_of(TRADITIONAL)
    text, reason = proposal(d, "lb_mode")
    assert text == "Layer 4 direct routing (DR)"
    assert "servers can be changed" in reason
    assert not {p.topic for p in d.proposals} & {"risk_aci_failover", "risk_aci_dr"}
    assert "arp\\_ignore and arp\\_announce" in section(d, "customer_responsibilities")


def test_aci_with_l4l7_vips_keeps_dr_and_warns() -> None:
    d = draft_of(ACI_DR)
    assert proposal(d, "lb_mode")[0] == "Layer 4 direct routing (DR)"
    assert "L4-L7 virtual IPs on the EPG" in section(d, "risks")
    assert "risk_hypervisor" in {p.topic for p in d.proposals}  # VMware


def test_cloud_rules_out_dr() -> None:
    d = draft_of(AWS)
    assert proposal(d, "lb_mode")[0] == "Layer 4 SNAT"
    assert "risk_cloud" in {p.topic for p in d.proposals}


def test_services_get_a_mode_each() -> None:
    d = draft_of(MEDICAL)
    assert proposal(d, "mode_0")[0] == "Layer 7 (HAProxy)"  # web viewer: cookie persistence
    assert proposal(d, "mode_1")[0] == "Layer 4 direct routing (DR)"  # DICOM
    text, _ = proposal(d, "lb_mode")
    assert "Layer 7 (HAProxy) for PACS web viewer" in text
    row = next(
        line
        for line in section(d, "configuration").splitlines()
        if line.startswith("| DICOM store |")
    )
    assert "**Proposed:** Layer 4 direct routing \\(DR\\)" in row
    assert "*(why: " in row


@pytest.mark.parametrize("name", case_names())
def test_every_proposal_that_applies_appears_and_none_is_missing(name: str) -> None:
    data = answers(name)
    inp = prefill_input(data)
    d = draft(data)
    topics = {p.topic for p in d.proposals}
    expected = {p.topic for p in recommendations(inp.answers, inp.computed)}
    risks = {t for t in expected if t.startswith("risk_")}
    assert risks <= topics
    assert "lb_mode" in topics
    assert "Proposal for" not in d.markdown()  # no proposal asked for that does not apply
    for p in d.proposals:
        assert p.reason


# Dropped answers, Markdown validity -------------------------------------------------------------


def test_dropped_answers_never_appear_in_the_draft() -> None:
    data = answers(ABANDONED)
    d = draft(data)
    dropped = {x["question"] for x in d.dropped}
    assert {"storage_vendor", "storage_s3_endpoints", "aci_arp_flooding"} <= dropped
    assert not {f.key for f in d.fields} & dropped
    text = d.markdown()
    for value in (
        "MinIO",
        "s3.example.com",
        "RELEASE.2025",
        "minio/health",
        "In house",
        "Our own network team",
    ):
        assert value not in text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("No high-level design - no upload", "hld.pdf"),
        ("Service not live yet", "Any time"),
        ("Single load balancer", "10.20.0.11"),
    ],
)
def test_stale_answers_are_left_out(name: str, value: str) -> None:
    text = draft(answers(name)).markdown()
    assert value not in text.replace("\\", "")


def table_rows(markdown: str) -> list[list[str]]:
    """Each table in ``markdown`` as its lines."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


@pytest.mark.parametrize("name", case_names())
def test_tables_stay_valid_and_headings_start_at_level_3(name: str) -> None:
    d = draft(answers(name))
    for s in d.sections:
        for line in s.markdown.splitlines():
            assert not re.match(r"#{1,2} ", line), (s.id, line)
        for table in table_rows(s.markdown):
            assert re.fullmatch(r"(\| --- )+\|", table[1]), (s.id, table[:2])
            widths = {cells(row) for row in table}
            assert len(widths) == 1, (s.id, table)


# Customer text is text ----------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> **bold** | pipe | \n# heading\n- item [link](http://x)"
#: A one-line text answer cannot hold a newline (the engine refuses it), the rest is the same.
HOSTILE_NAME = "<script>alert(1)</script> **bold** | pipe | # heading"


def test_markup_in_answers_comes_out_as_literal_text_in_paragraphs_and_table_cells() -> None:
    data = answers(MEDICAL)
    data["load_balancing_summary"] = HOSTILE
    data["services"][0]["name"] = HOSTILE_NAME
    d = draft(data)
    text = d.markdown()
    assert "<script>" not in text
    summary = "\\<script\\>alert\\(1\\)\\</script\\> \\*\\*bold\\*\\* \\| pipe \\|; \\# heading; - item \\[link\\]"
    assert summary in section(d, "background")
    parser = MarkdownIt("commonmark").enable("table")
    html = parser.render(text)
    assert (
        "<script>" not in html and "<strong>bold</strong>" not in html and "<h1>heading" not in html
    )
    assert '<a href="http://x"' not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; **bold** | pipe |; # heading; - item [link](http://x)"
        in html
    )
    # The services table keeps its 9 columns on the hostile row, and its 3 rows.
    row = next(
        line for line in section(d, "configuration").splitlines() if line.startswith("| \\<script")
    )
    assert cells(row) == 9
    tokens = parser.parse(section(d, "configuration"))
    first_table = tokens[: next(i for i, t in enumerate(tokens) if t.type == "table_close")]
    assert sum(t.type == "tr_open" for t in first_table) == 3  # header + 2 services
    assert sum(t.type == "td_open" for t in first_table) == 18
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt; **bold** | pipe | # heading</td>" in html


def test_a_template_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_bytes(b"id: base\ntitle: caf\xe9\n")
    with pytest.raises(DefinitionError) as caught:
        load_library(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'base.yaml'}:2:")
