"""Every proposal follows from the answers it quotes: for each rule of recommend.py,
service_proposals.py and risks.py, an answer set where the rule fires, then one that contradicts
it, and the proposal and its reason change with the answers.

The answer sets are path tests with a few answers changed, run through the real flow, so the
computed values (``dr_candidate``, ``needs_client_ip``...) are the ones a customer would get.
"""

from __future__ import annotations

from typing import Any

from sow_prefill.recommend import recommendations

from .support import ACI, MEDICAL, STORAGE, STORAGE_WAF, TELEPHONY, TRADITIONAL, WAF, answers
from .support import prefill_input as flow_input

ACI_NO_VIPS = {
    "network_fabric": "cisco_aci",
    "aci_admin": "partner",
    "aci_arp_flooding": "no",
    "aci_garp_detection": "no",
    "aci_l4l7_vip": "no",
}
VIEWER = {"name": "PACS web viewer", "protocol": "https", "ports": "443", "persistence": "cookie",
          "tls_handling": "terminate", "real_server_count": 2}  # fmt: skip
DICOM = {"name": "DICOM store", "protocol": "tcp", "ports": "104", "persistence": "source_ip",
         "real_server_count": 4}  # fmt: skip
APP = {"name": "App", "protocol": "tcp", "ports": "9000", "persistence": "none",
       "real_server_count": 2}  # fmt: skip
WEB = {"name": "Portal", "protocol": "https", "ports": "443", "persistence": "source_ip",
       "tls_handling": "passthrough", "real_server_count": 2}  # fmt: skip
S3 = {"name": "S3", "protocol": "https", "ports": "443", "tls_handling": "terminate",
      "real_server_count": 8}  # fmt: skip


def proposals(case: str = MEDICAL, **changes: Any) -> dict[str, tuple[str, str]]:
    """The proposals for the answers of path test ``case`` with ``changes`` made."""
    data = answers(case)
    data.update(changes)
    inp = flow_input(data)
    return {p.topic: (p.text, p.reason) for p in recommendations(inp.answers, inp.computed)}


# The load balancing method ------------------------------------------------------------------------


def test_lb_mode_is_a_mode_per_service_only_when_the_services_differ() -> None:
    text, reason = proposals(services=[VIEWER, DICOM])["lb_mode"]
    assert text.startswith("A mode per service: Layer 7 (HAProxy) for PACS web viewer; Layer 4")
    assert "different features" in reason
    text, _ = proposals(services=[DICOM, {**DICOM, "name": "DICOM 2"}])["lb_mode"]
    assert text == "Layer 4 direct routing (DR)"


def test_lb_mode_on_aci_says_what_the_customer_said_about_l4l7_vips() -> None:
    _, reason = proposals(ACI)["lb_mode"]
    assert "the VIPs cannot be declared as L4-L7 virtual IPs" in reason
    text, reason = proposals(ACI, aci_l4l7_vip="not_sure")["lb_mode"]
    assert text == "Layer 4 SNAT, or layer 7 where HTTP features are needed"
    assert "it is not known yet whether the VIPs can be declared" in reason
    assert "cannot be declared" not in reason
    assert proposals(ACI, aci_l4l7_vip="yes")["lb_mode"][0] == "Layer 4 direct routing (DR)"


def test_lb_mode_on_aci_keeps_the_client_address_when_the_application_needs_it() -> None:
    text, reason = proposals(ACI, client_ip_needed="yes")["lb_mode"]
    assert text.startswith("Layer 4 NAT (two-arm), or layer 7 with X-Forwarded-For")
    assert "SNAT would hide the client's address" in reason


def test_lb_mode_proposes_cookies_only_for_a_web_service_with_cookies() -> None:
    cookie = {**WEB, "persistence": "cookie", "tls_handling": "terminate"}
    text, reason = proposals(services=[cookie])["lb_mode"]
    assert text == "Layer 7 (HAProxy) with cookie persistence"
    assert "cookie persistence" in reason
    text, reason = proposals(services=[cookie], client_ip_needed="yes")["lb_mode"]
    assert text == "Layer 7 (HAProxy) with cookie persistence and X-Forwarded-For"
    assert "client's address" in reason
    assert "cookie" not in proposals(services=[WEB])["lb_mode"][0]


def test_lb_mode_of_services_of_one_mode_is_that_mode_with_its_reason() -> None:
    found = proposals(services=[DICOM])
    assert found["lb_mode"] == found["mode_0"]
    found = proposals(services=[DICOM], servers_changeable="no")
    assert found["lb_mode"] == found["mode_0"] and found["lb_mode"][0] == "Layer 4 SNAT"


def test_lb_mode_without_services_is_dr_only_where_dr_works() -> None:
    assert proposals(TRADITIONAL)["lb_mode"][0] == "Layer 4 direct routing (DR)"
    for changes in ({"servers_changeable": "no"}, {"form_factor": "aws"}):
        assert proposals(TRADITIONAL, **changes)["lb_mode"][0] != "Layer 4 direct routing (DR)"


def test_lb_mode_without_services_keeps_a_needed_client_address_and_says_why_not_dr() -> None:
    text, reason = proposals(TRADITIONAL, client_ip_needed="yes", servers_changeable="no")[
        "lb_mode"
    ]
    assert text.startswith("Layer 7 with X-Forwarded-For or PROXY protocol")
    assert reason.endswith("the servers cannot be changed for DR")
    _, reason = proposals(TRADITIONAL, client_ip_needed="yes", servers_changeable="not_sure")[
        "lb_mode"
    ]
    assert "it is not known yet whether the servers can be changed" in reason
    _, reason = proposals(TRADITIONAL, client_ip_needed="yes", form_factor="aws")["lb_mode"]
    assert "in a public cloud DR is usually not available" in reason


def test_snat_says_nothing_needs_the_client_address_only_when_the_customer_said_so() -> None:
    text, reason = proposals(TRADITIONAL, servers_changeable="no", client_ip_needed="no")["lb_mode"]
    assert text == "Layer 4 SNAT"
    assert "nothing needs the client's own address" in reason
    _, reason = proposals(TRADITIONAL, servers_changeable="no", client_ip_needed="not_sure")[
        "lb_mode"
    ]
    assert "nothing needs" not in reason
    assert "if the application turns out to need the client's address" in reason


# The mode of each service ---------------------------------------------------------------------------


def test_a_dicom_service_on_aci_keeps_the_client_address_the_application_needs() -> None:
    text, reason = proposals(**ACI_NO_VIPS, services=[DICOM])["mode_0"]
    assert text == "Layer 4 SNAT"
    assert "Cisco ACI" in reason
    text, reason = proposals(**ACI_NO_VIPS, client_ip_needed="yes", services=[DICOM])["mode_0"]
    assert text == "Layer 4 NAT (two-arm)"
    assert "SNAT would hide the client's address" in reason
    text, _ = proposals(**ACI_NO_VIPS, client_ip_needed="yes", services=[VIEWER])["mode_0"]
    assert text == "Layer 7 (HAProxy) with X-Forwarded-For"


def test_a_service_with_cookies_is_layer_7_and_says_so_when_tls_passes_through() -> None:
    assert proposals(services=[VIEWER])["mode_0"] == (
        "Layer 7 (HAProxy)",
        "cookie persistence needs layer 7",
    )
    _, reason = proposals(services=[{**VIEWER, "tls_handling": "passthrough"}])["mode_0"]
    assert "must decrypt TLS to read the cookie" in reason
    assert "pass TLS through" in reason
    text, _ = proposals(
        services=[{**VIEWER, "persistence": "source_ip", "tls_handling": "passthrough"}]
    )["mode_0"]
    assert text == "Layer 4 direct routing (DR)"


def test_a_service_whose_tls_ends_on_the_load_balancer_is_layer_7() -> None:
    terminated = {**WEB, "tls_handling": "terminate"}
    assert proposals(services=[terminated])["mode_0"][1].startswith("TLS is decrypted")
    assert proposals(services=[WEB])["mode_0"][0] == "Layer 4 direct routing (DR)"


def test_a_web_service_behind_the_waf_is_layer_7() -> None:
    text, reason = proposals(WAF, services=[WEB])["mode_0"]
    assert (text, reason) == ("Layer 7 (HAProxy)", "the WAF sits in front of a layer 7 service")
    assert "WAF" not in proposals(services=[WEB])["mode_0"][1]


def test_a_service_gets_dr_only_without_a_port_range() -> None:
    assert proposals(services=[APP])["mode_0"][0] == "Layer 4 direct routing (DR)"
    text, reason = proposals(services=[{**APP, "ports": "8000-8010"}])["mode_0"]
    assert text == "Layer 4 SNAT"
    assert "DR cannot translate ports, and this service listens on a port range" in reason


def test_a_service_keeps_the_client_address_when_dr_is_out() -> None:
    text, reason = proposals(services=[APP], servers_changeable="no", client_ip_needed="yes")[
        "mode_0"
    ]
    assert text == "Layer 4 NAT (two-arm)"
    assert (
        reason
        == "the application needs the client's address, and the servers cannot be changed for DR"
    )
    text, _ = proposals(services=[WEB], servers_changeable="no", client_ip_needed="yes")["mode_0"]
    assert text == "Layer 7 (HAProxy) with X-Forwarded-For"
    assert proposals(services=[APP], servers_changeable="no")["mode_0"][0] == "Layer 4 SNAT"


def test_a_sip_service_mode_names_call_id_persistence_only_when_asked_for() -> None:
    sip = {"name": "SIP UDP", "protocol": "udp", "ports": "5060", "persistence": "sip_call_id",
           "real_server_count": 4}  # fmt: skip
    assert proposals(TELEPHONY, services=[sip])["mode_0"][0].endswith(
        "with SIP Call-ID persistence"
    )
    plain = {**sip, "persistence": "source_ip"}
    assert "Call-ID" not in proposals(TELEPHONY, services=[plain])["mode_0"][0]


# Scheduler, health checks, persistence ---------------------------------------------------------------


def test_the_s3_scheduler_reason_is_given_for_s3_services_only() -> None:
    mixed = proposals(
        STORAGE, deployment_types=["storage", "medical"], services=[S3, VIEWER, DICOM]
    )
    assert "S3 transfers" in mixed["scheduler_0"][1]
    assert "S3" not in mixed["scheduler_1"][1] and "S3" not in mixed["scheduler_2"][1]
    assert "S3" not in mixed["scheduler"][1]
    assert "S3 transfers" in proposals(STORAGE, services=[S3])["scheduler"][1]


def test_dicom_services_get_c_echo_only_in_a_medical_sow() -> None:
    assert proposals(services=[DICOM])["health_check_0"][0] == "DICOM C-ECHO"
    general = proposals(deployment_types=["general"], services=[DICOM])
    assert general["health_check_0"][0] == "TCP connect"


def test_sip_services_get_options_checks_only_in_a_telephony_sow() -> None:
    sip = {"name": "SIP", "protocol": "udp", "ports": "5060", "real_server_count": 2}
    assert (
        proposals(TELEPHONY, services=[sip])["health_check_0"][0] == "SIP OPTIONS, expecting 200 OK"
    )
    assert proposals(services=[sip])["health_check_0"][0].startswith("Ping")


def test_s3_health_checks_follow_the_vendor_and_skip_other_web_services() -> None:
    minio = proposals(STORAGE, storage_health_check_url=None, services=[S3])["health_check_0"]
    assert minio[0] == "HTTP GET /minio/health/live on port 9000, expecting 200 OK"
    given = proposals(STORAGE, storage_health_check_url="/up", services=[S3])["health_check_0"]
    assert given[0] == "HTTP GET /up, expecting 200 OK"
    cloudian = proposals(
        STORAGE, storage_vendor="cloudian", storage_health_check_url=None, services=[S3]
    )["health_check_0"]
    assert cloudian[0] == "HTTP GET /.healthCheck, expecting 200 OK"
    mixed = proposals(STORAGE, deployment_types=["storage", "medical"], services=[S3, VIEWER])
    assert mixed["health_check_1"][0].startswith("HTTPS GET of the application's health page")


def test_health_checks_by_protocol() -> None:
    found = proposals(deployment_types=["general"], services=[APP, WEB])
    assert found["health_check_0"] == ("TCP connect", "suits TCP services")
    assert found["health_check_1"][0].startswith("HTTPS GET")


def test_sip_call_id_persistence_follows_the_call_id_answer_and_the_transport() -> None:
    sip = {"name": "SIP", "protocol": "udp", "ports": "5060", "real_server_count": 2}
    assert proposals(TELEPHONY, services=[sip])["persistence_0"][0] == "SIP Call-ID"
    refused = proposals(TELEPHONY, telephony_callid_persistence="no", services=[sip])
    assert refused["persistence_0"][0] == "Source IP (timeout 300 s)"
    over_tcp = proposals(TELEPHONY, services=[{**sip, "protocol": "tcp"}])
    assert "Call-ID" not in over_tcp["persistence_0"][0]


def test_s3_services_need_no_persistence_but_their_consoles_may() -> None:
    console = {**S3, "name": "S3 console"}
    found = proposals(STORAGE_WAF, services=[S3, console])
    assert found["persistence_0"] == ("None", "S3 requests are independent of each other")
    assert found["persistence_1"][0].startswith("HTTP cookie")


def test_https_passed_through_cannot_use_cookie_persistence() -> None:
    found = proposals(services=[{**WEB, "persistence": None}])
    assert found["persistence_0"] == (
        "Source IP (timeout 300 s)",
        "TLS passes through to the servers, so the load balancer cannot read a cookie",
    )
    terminated = proposals(services=[{**WEB, "persistence": None, "tls_handling": "terminate"}])
    assert terminated["persistence_0"][0].startswith("HTTP cookie")


def test_persistence_is_proposed_only_when_not_answered() -> None:
    found = proposals(services=[WEB, {**WEB, "persistence": "other"}, {**WEB, "persistence": None}])
    assert "persistence_0" not in found
    assert {"persistence_1", "persistence_2"} <= set(found)


# Proposals per deployment type --------------------------------------------------------------------


def test_server_changes_name_only_the_operating_systems_answered() -> None:
    both = proposals()["server_changes"][0]
    assert "Linux" in both and "Windows" in both
    linux = proposals(server_os=["linux"])["server_changes"][0]
    assert "Linux: arp_ignore" in linux and "Windows" not in linux
    appliance = proposals(server_os=["windows", "appliance"])["server_changes"][0]
    assert "Linux" not in appliance and "as their supplier documents" in appliance
    assert "server_changes" not in proposals(servers_changeable="no")


def test_the_medical_health_check_follows_the_ae_titles_and_the_services_chosen() -> None:
    assert "the AE titles given" in proposals()["medical_health_check"][0]
    assert (
        "AE titles to be confirmed" in proposals(medical_ae_titles=None)["medical_health_check"][0]
    )
    text, reason = proposals(medical_services=["web_viewer", "hl7"])["medical_health_check"]
    assert "C-ECHO" not in text and "no DICOM service" in reason


def test_medical_persistence_lists_only_the_services_chosen() -> None:
    text, reason = proposals(medical_services=["dicom_store"])["medical_persistence"]
    assert text == "None for C-STORE"
    assert "viewer" not in text.lower() and "viewer" not in reason
    text, _ = proposals(medical_services=["web_viewer", "worklist"])["medical_persistence"]
    assert "Web viewers" in text and "worklist" in text and "C-STORE" not in text


def test_the_storage_health_check_follows_the_vendor_and_the_url_given() -> None:
    assert "/minio/health/live" in proposals(STORAGE)["storage_health_check"][0]
    given = proposals(STORAGE, storage_health_check_url="/status")["storage_health_check"][0]
    assert given == "HTTP GET /status, expecting 200 OK"


def test_storage_persistence_only_for_storage() -> None:
    assert (
        proposals(STORAGE)["storage_persistence"][0] == "No persistence; weighted least connections"
    )
    assert "storage_persistence" not in proposals()


def test_telephony_persistence_follows_the_call_id_answer_and_the_transports() -> None:
    text, reason = proposals(TELEPHONY)["telephony_persistence"]
    assert text == "Layer 4 with SIP Call-ID persistence for SIP over UDP"
    assert reason == "all messages of a call must reach the same server"
    _, reason = proposals(TELEPHONY, telephony_callid_persistence="not_sure")[
        "telephony_persistence"
    ]
    assert "to confirm on the call" in reason
    text, reason = proposals(TELEPHONY, telephony_callid_persistence="no")["telephony_persistence"]
    assert "without persistence" in text and "need not reach the same server" in reason
    text, _ = proposals(TELEPHONY, telephony_sip_transports=["tls"])["telephony_persistence"]
    assert "Call-ID" not in text and "source IP" in text


def test_no_sip_through_the_load_balancer_means_no_sip_proposals() -> None:
    found = proposals(TELEPHONY, telephony_sip_transports=["none"])
    assert not {"telephony_persistence", "telephony_health_check"} & set(found)
    assert proposals(TELEPHONY)["telephony_health_check"][0] == "SIP OPTIONS, expecting 200 OK"


def test_the_waf_mode_follows_the_tuning_period_and_the_start_mode() -> None:
    text, reason = proposals(WAF)["waf_mode"]
    assert text.startswith("Detection mode for 14 days")
    assert "asked to block" not in reason
    text, reason = proposals(WAF, waf_start_mode="blocking")["waf_mode"]
    assert text.startswith("Detection mode during a tuning period")
    assert reason.startswith("although the customer asked to block from the start")


# Risks ----------------------------------------------------------------------------------------------


def test_the_aci_failover_risk_goes_once_arp_flooding_is_on() -> None:
    assert "risk_aci_failover" in proposals(ACI)
    assert "risk_aci_failover" not in proposals(ACI, aci_arp_flooding="yes")


def test_the_aci_dr_risk_only_where_dr_is_proposed() -> None:
    assert "risk_aci_dr" in proposals(ACI, aci_l4l7_vip="yes")
    assert "risk_aci_dr" not in proposals(ACI)


def test_the_gslb_risk_only_with_fixed_address_modalities() -> None:
    case = "Multi-site medical with fixed-address modalities"
    assert "risk_gslb_legacy" in proposals(case)
    assert "risk_gslb_legacy" not in proposals(case, medical_legacy_modalities="no")


def test_the_waf_blocking_risk_only_when_blocking_from_the_start() -> None:
    assert "risk_waf_blocking" in proposals(WAF, waf_start_mode="blocking")
    assert "risk_waf_blocking" not in proposals(WAF)


def test_the_hypervisor_risk_names_the_hypervisor_chosen_and_needs_an_ha_pair() -> None:
    vmware = {"form_factor": "virtual", "hypervisor": "vmware"}
    text, reason = proposals(**vmware)["risk_hypervisor"]
    assert "VMware" in text and "Hyper-V" not in text
    assert reason.startswith("floating addresses move between the HA nodes")
    text, _ = proposals(form_factor="virtual", hypervisor="hyperv")["risk_hypervisor"]
    assert "Hyper-V" in text and "VMware" not in text
    assert "risk_hypervisor" not in proposals(**vmware, ha_pair=False)
    assert "risk_hypervisor" not in proposals(form_factor="virtual", hypervisor="kvm")


def test_the_single_appliance_risk_only_without_an_ha_pair() -> None:
    assert "risk_single_appliance" in proposals(ha_pair=False)
    assert "risk_single_appliance" not in proposals()


def test_the_cloud_risk_only_in_a_public_cloud() -> None:
    assert "risk_cloud" in proposals(form_factor="aws")
    assert "risk_cloud" not in proposals()


def test_the_rtp_risk_only_when_media_passes_the_load_balancer() -> None:
    assert "risk_rtp_via_lb" in proposals(TELEPHONY, telephony_rtp_via_lb="yes")
    assert "risk_rtp_via_lb" not in proposals(TELEPHONY)
