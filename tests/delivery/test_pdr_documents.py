"""The PDR's first revision from the SoW, its diff and its Markdown."""

from __future__ import annotations

from typing import Any

from questionnaire.delivery import diff, empty, from_sow, to_markdown, validate
from questionnaire.delivery.pdr import PROPOSED

ANSWERS: dict[str, Any] = {
    "services": [
        {"name": "PACS web", "protocol": "https", "ports": "443", "vip": "10.0.0.10",
         "tls_handling": "terminate", "persistence": "cookie",
         "real_servers": "10.0.1.11:8443\n10.0.1.12\nnot-an-address\n"},
        {"name": "DICOM", "protocol": "tcp", "ports": "104, 11112", "persistence": "other"},
    ],
    "ha_pair": True, "mgmt_ip_primary": "10.0.2.1", "mgmt_ip_secondary": "10.0.2.999",
    "vip_subnet": "10.0.0.0/24", "default_gateway": "10.0.0.254", "server_subnet": "bad",
}  # fmt: skip
PROPOSALS = [
    {"topic": "mode_0", "text": "Layer 7 (HAProxy)", "reason": "cookie persistence needs layer 7"},
    {"topic": "persistence_1", "text": "Source IP (timeout 300 s)", "reason": "no session"},
    {"topic": "health_check_1", "text": "TCP connect", "reason": "a TCP service"},
    {"topic": "lb_mode", "text": "Layer 4 DR where possible", "reason": "the fastest"},
]


def test_the_first_revision_takes_answers_and_proposals_as_proposed_values() -> None:
    content = from_sow(ANSWERS, PROPOSALS)
    web, dicom = content["virtual_services"]
    assert web["mode"] == "Layer 7 (HAProxy)"
    assert web[PROPOSED]["mode"] == "proposed in the SoW: cookie persistence needs layer 7"
    assert web[PROPOSED]["vip"] == "the customer's answer"
    assert (web["tls"], web["persistence"], web["ports"]) == ("terminate", "cookie", [443])
    assert web["real_servers"] == [
        {"address": "10.0.1.11", "port": 8443, PROPOSED: {"address": "the customer's answer",
                                                           "port": "the customer's answer"}},
        {"address": "10.0.1.12", PROPOSED: {"address": "the customer's answer"}},
    ]  # fmt: skip
    assert dicom["ports"] == [104, 11112]
    assert dicom["persistence"] == "Source IP (timeout 300 s)"
    assert dicom["health_check"] == "TCP connect"
    # What the engine refuses is left out: a bad management address, a bad subnet.
    assert [row.get("management_address") for row in content["ha"]] == ["10.0.2.1", None]
    assert [row["network"] for row in content["addressing"]] == ["10.0.0.0/24"]
    assert "Layer 4 DR where possible (the fastest)" in content["sections"][0]["text"]
    assert validate(content) == {}


def test_no_answers_make_an_empty_record() -> None:
    assert from_sow({}, []) == empty()
    assert from_sow({"services": "nonsense", "ha_pair": "maybe"}, [None]) == empty()  # type: ignore[list-item]


def test_the_diff_names_rows_by_name_not_position() -> None:
    older = empty()
    older["virtual_services"] = [{"name": "a", "vip": "10.0.0.1"}, {"name": "b", "ports": [80]}]
    newer = empty()
    newer["virtual_services"] = [{"name": "b", "ports": [80, 443], "protocol": "https"}]
    changes = [(c.where, c.before, c.after, c.kind) for c in diff(older, newer)]
    assert changes == [
        ("Virtual services / “b” / Ports", "80", "80, 443", "changed"),
        ("Virtual services / “b” / Protocol", "", "HTTPS", "added"),
        ("Virtual services / “a” / Name", "a", "", "removed"),
        ("Virtual services / “a” / Virtual IP address (VIP)", "10.0.0.1", "", "removed"),
    ]
    assert diff(newer, newer) == []


def test_markdown_has_every_table_and_keeps_typed_markup_as_text() -> None:
    content = from_sow(ANSWERS, PROPOSALS)
    content["sections"].append({"title": "<script>alert(1)</script>", "text": "# not a heading"})
    text = to_markdown(content, "PDR for Acme | Health", 3)
    assert text.startswith("# PDR for Acme \\| Health\n\nRevision 3.")
    for heading in ("## Virtual services", "## High availability", "## Addressing", "## GSLB",
                    "## WAF", "### Real servers of PACS web"):  # fmt: skip
        assert heading in text
    assert (
        "| PACS web (proposed) | 10\\.0.0.10 (proposed) | 443 (proposed) | HTTPS (proposed)" in text
    )
    assert "## \\<script\\>alert\\(1\\)\\</script\\>" in text
    assert "\n\\# not a heading\n" in text
    assert "<script>" not in text


def test_a_service_s_nested_real_servers_fill_its_real_servers_table() -> None:
    nested = [
        {"name": "pacs1", "ip": "10.0.1.11", "port": 8443},
        {"ip": "10.0.1.12"},
        {"name": "typo", "ip": "10.0.1.999"},  # refused by the table's parser: left out
        "not a record",
    ]
    answers = {"services": [{"name": "PACS web", "real_server_count": 2, "real_servers": nested}]}
    (web,) = from_sow(answers, [])["virtual_services"]
    assert web["real_servers"] == [
        {"name": "pacs1", "address": "10.0.1.11", "port": 8443,
         PROPOSED: dict.fromkeys(("name", "address", "port"), "the customer's answer")},
        {"address": "10.0.1.12", PROPOSED: {"address": "the customer's answer"}},
    ]  # fmt: skip
