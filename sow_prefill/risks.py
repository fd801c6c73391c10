"""Risks derived from answers, each a proposal with its reason, for the SoW's risks section."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from questionnaire.engine.types import JSON

from .model import Proposal


def risks(data: Mapping[str, JSON]) -> Iterator[Proposal]:
    if data.get("aci_failover_risk"):
        yield Proposal(
            "risk_aci_failover",
            "Cisco ACI: enable ARP flooding or GARP-based endpoint move detection on the bridge domain",
            "otherwise the fabric may ignore the gratuitous ARP at HA failover, causing minutes of outage",
            ("aci_arp_flooding", "aci_garp_detection"),
        )
    if data.get("uses_aci") and data.get("dr_candidate"):
        yield Proposal(
            "risk_aci_dr",
            "Cisco ACI with DR: declare the VIPs as L4-L7 virtual IPs on the EPG (or disable IP learning)",
            "in DR mode the servers answer from the VIP, so the fabric learns it on their ports",
            ("aci_l4l7_vip",),
        )
    if data.get("gslb_blocked_by_legacy"):
        yield Proposal(
            "risk_gslb_legacy",
            "Keep legacy modalities on a site VIP; GSLB only for DNS-aware clients",
            "modalities with hard-coded addresses never follow DNS-based GSLB",
            ("medical_legacy_modalities", "needs_gslb"),
        )
    if data.get("waf_start_mode") == "blocking":
        yield Proposal(
            "risk_waf_blocking",
            "Blocking from day one may stop legitimate requests until rules are tuned",
            "the customer asked to block from the start",
            ("waf_start_mode",),
        )
    if data.get("is_virtual") and data.get("ha_pair") is not False:
        yield from _hypervisor(data)
    if data.get("ha_pair") is False:
        yield Proposal(
            "risk_single_appliance",
            "A single load balancer is a single point of failure: consider an HA pair",
            "the customer plans one appliance, so its failure or maintenance stops every service",
            ("ha_pair",),
        )
    if data.get("is_cloud"):
        yield Proposal(
            "risk_cloud",
            "Design around the cloud's networking: no layer 4 DR, and floating addresses through the cloud's API",
            "public clouds do not pass ARP or gratuitous ARP between instances",
            ("form_factor",),
        )
    if data.get("telephony_rtp_via_lb") == "yes":
        yield Proposal(
            "risk_rtp_via_lb",
            "Size the load balancer for RTP media and agree the media port ranges",
            "media usually bypasses the load balancer; carrying it multiplies packets per second",
            ("telephony_rtp_via_lb",),
        )


HYPERVISOR_SETTINGS = {
    "vmware": "Allow MAC address changes and forged transmits on the port group (VMware)",
    "hyperv": "Enable MAC address spoofing on the virtual network adapters (Hyper-V)",
}


def _hypervisor(data: Mapping[str, JSON]) -> Iterator[Proposal]:
    """The hypervisor's settings for floating addresses: for the hypervisor named, and only
    for an HA pair (a single appliance has no address to float)."""
    setting = HYPERVISOR_SETTINGS.get(str(data.get("hypervisor")))
    if setting is None:
        return
    if data.get("ha_pair"):
        reason = "floating addresses move between the HA nodes with their MAC addresses"
    else:
        reason = "if the appliances are an HA pair, floating addresses move between them with their MAC addresses"
    yield Proposal("risk_hypervisor", setting, reason, ("hypervisor", "ha_pair"))
