"""Recommendations: each a proposal with its reason, derived from answers and computed values."""

from __future__ import annotations

from typing import Any

import pytest

from sow_prefill.recommend import known_topic, recommendations


def proposals(**data: Any) -> dict[str, tuple[str, str]]:
    return {p.topic: (p.text, p.reason) for p in recommendations(data, {})}


WEB = {"name": "Web", "protocol": "https", "ports": "443"}


@pytest.mark.parametrize(
    ("data", "service", "mode"),
    [
        ({"dr_candidate": True}, {"name": "DICOM", "protocol": "tcp", "ports": "104"}, "Layer 4 direct routing (DR)"),
        ({"dr_candidate": True}, {"name": "Range", "protocol": "tcp", "ports": "8000-8010"}, "Layer 4 SNAT"),
        ({"dr_candidate": True}, {**WEB, "persistence": "cookie"}, "Layer 7 (HAProxy)"),
        ({"dr_candidate": True}, {**WEB, "tls_handling": "terminate"}, "Layer 7 (HAProxy)"),
        ({"dr_candidate": True}, {**WEB, "tls_handling": "passthrough"}, "Layer 4 direct routing (DR)"),
        ({"dr_candidate": True, "is_waf": True}, {**WEB, "tls_handling": "passthrough"}, "Layer 7 (HAProxy)"),
        ({"needs_client_ip": True}, {"name": "App", "protocol": "tcp", "ports": "9000"}, "Layer 4 NAT (two-arm)"),
        ({"needs_client_ip": True}, WEB, "Layer 7 (HAProxy) with X-Forwarded-For"),
        ({}, {"name": "SIP", "protocol": "udp", "ports": "5060", "persistence": "sip_call_id"},
         "Layer 4 SNAT with SIP Call-ID persistence"),
        ({"uses_aci": True, "aci_l4l7_vip": "no", "dr_candidate": False}, {"name": "DICOM", "protocol": "tcp"},
         "Layer 4 SNAT"),
    ],
)  # fmt: skip
def test_a_mode_per_service(data: dict[str, Any], service: dict[str, Any], mode: str) -> None:
    found = proposals(**data, services=[service])
    assert found["mode_0"][0] == mode
    assert found["lb_mode"][0].startswith(mode.split(" with")[0]) or "ACI" in found["lb_mode"][1]


def test_mixed_modes_are_summarised_per_service() -> None:
    services = [
        {**WEB, "persistence": "cookie"},
        {"name": "DICOM", "protocol": "tcp", "ports": "104"},
    ]
    text, reason = proposals(dr_candidate=True, services=services)["lb_mode"]
    assert (
        text
        == "A mode per service: Layer 7 (HAProxy) for Web; Layer 4 direct routing (DR) for DICOM"
    )
    assert reason


def test_health_checks_and_persistence_by_service_type() -> None:
    found = proposals(
        is_medical=True,
        is_storage=True,
        is_telephony=True,
        storage_vendor="cloudian",
        services=[
            {"name": "DICOM store", "protocol": "tcp", "ports": "11112"},
            {"name": "S3", "protocol": "https", "ports": "443"},
            {"name": "SIP", "protocol": "udp", "ports": "5060"},
            {"name": "Admin console", "protocol": "https", "ports": "8443"},
        ],
    )
    assert found["health_check_0"][0] == "DICOM C-ECHO"
    assert found["health_check_1"][0] == "HTTP GET /.healthCheck, expecting 200 OK"
    assert found["persistence_1"][0] == "None"
    assert found["health_check_2"][0] == "SIP OPTIONS, expecting 200 OK"
    assert found["persistence_2"][0] == "SIP Call-ID"
    assert (
        found["health_check_3"][0] == "HTTPS GET of the application's health page, expecting 200 OK"
    )


def test_persistence_is_proposed_only_when_not_answered() -> None:
    found = proposals(
        services=[{**WEB, "persistence": "source_ip"}, {**WEB, "persistence": "other"}, WEB]
    )
    assert "persistence_0" not in found
    assert {"persistence_1", "persistence_2"} <= set(found)


@pytest.mark.parametrize(
    ("data", "risk"),
    [
        ({"aci_failover_risk": True}, "risk_aci_failover"),
        ({"uses_aci": True, "dr_candidate": True}, "risk_aci_dr"),
        ({"gslb_blocked_by_legacy": True}, "risk_gslb_legacy"),
        ({"waf_start_mode": "blocking"}, "risk_waf_blocking"),
        ({"is_virtual": True, "hypervisor": "hyperv"}, "risk_hypervisor"),
        ({"ha_pair": False}, "risk_single_appliance"),
        ({"is_cloud": True}, "risk_cloud"),
        ({"telephony_rtp_via_lb": "yes"}, "risk_rtp_via_lb"),
    ],
)
def test_risks(data: dict[str, Any], risk: str) -> None:
    assert risk in proposals(**data)
    assert not {t for t in proposals() if t.startswith("risk_")}


def test_waf_mode_names_the_tuning_period_and_covers_portal_wafs() -> None:
    assert proposals(is_waf=True, wants_waf=True, waf_tuning_days=21)["waf_mode"][0].startswith(
        "Detection mode for 21 days"
    )
    assert "waf_mode" in proposals(wants_waf=True)


def test_known_topics() -> None:
    assert all(
        known_topic(t)
        for t in ("lb_mode", "mode_12", "health_check_0", "persistence_3", "risk_cloud")
    )
    assert not any(known_topic(t) for t in ("lb_mod", "mode_x", "risk_unknown", "health_check_"))
