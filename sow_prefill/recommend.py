"""Recommendations derived from answers: each is a proposal with its reason, for the engineer
to confirm on the discovery call (never a decision taken for them).

The rules follow the domain notes: DR for throughput where servers can be changed and no port
translation is needed; SNAT or layer 7 where the fabric is Cisco ACI, ports are translated or
cookies are needed; persistence and health checks by service type; known risks.

Topics (what templates pass to ``proposal()``) are listed in :data:`TOPICS` and
:data:`TOPIC_PATTERNS`, so that the template linter can spot a misspelt one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from questionnaire.engine.types import JSON

from .model import Proposal
from .risks import risks
from .service_proposals import (
    DR_REASON,
    LAYER7,
    UNSURE,
    Data,
    Service,
    aci_blocks_dr,
    aci_reason,
    has_port_range,
    health_check,
    is_web,
    overall_scheduler,
    persistence,
    scheduler,
    service_mode,
    services_of,
    snat_reason,
    storage_url,
    why_not_dr,
)

#: Every fixed proposal topic. A topic that does not apply to an answer set has no proposal, and
#: ``proposal()`` then renders a placeholder: templates guard the conditional ones (risks).
TOPICS = frozenset(
    {
        "lb_mode",
        "scheduler",
        "server_changes",
        "medical_health_check",
        "medical_persistence",
        "storage_health_check",
        "storage_persistence",
        "telephony_persistence",
        "telephony_health_check",
        "waf_mode",
        "risk_aci_failover",
        "risk_aci_dr",
        "risk_gslb_legacy",
        "risk_waf_blocking",
        "risk_hypervisor",
        "risk_single_appliance",
        "risk_cloud",
        "risk_rtp_via_lb",
    }
)
#: Per-service topics: ``mode_0``, ``health_check_1``, ``persistence_2``, ``scheduler_3`` (the
#: record's index).
TOPIC_PATTERNS = (re.compile(r"^(mode|health_check|persistence|scheduler)_\d+$"),)


def known_topic(topic: str) -> bool:
    return topic in TOPICS or any(p.match(topic) for p in TOPIC_PATTERNS)


def recommendations(answers: Mapping[str, JSON], computed: Mapping[str, JSON]) -> list[Proposal]:
    data = {**answers, **computed}
    return [
        *_lb_mode(data),
        *_deployment_proposals(data),
        *_per_service(data),
        *risks(data),
    ]


def _needs_cookies(data: Data) -> bool:
    return any(is_web(s) and s.get("persistence") == "cookie" for s in services_of(data))


def _translates_ports(data: Data) -> bool:
    return any(has_port_range(s) for s in services_of(data))


def _lb_mode(data: Data) -> Iterator[Proposal]:
    services = services_of(data)
    modes = [service_mode(data, s) for s in services]
    if len({text for text, _ in modes}) > 1:
        yield _mode_per_service(services, modes)
    elif aci_blocks_dr(data):
        yield _aci_lb_mode(data)
    elif _needs_cookies(data):
        yield _cookie_lb_mode(data)
    elif modes:
        text, reason = modes[0]
        yield Proposal("lb_mode", text, reason, ("services",))
    elif data.get("dr_candidate") and not data.get("is_cloud") and not _translates_ports(data):
        yield Proposal(
            "lb_mode",
            "Layer 4 direct routing (DR)",
            DR_REASON,
            ("servers_changeable", "network_fabric"),
        )
    elif data.get("needs_client_ip"):
        yield Proposal(
            "lb_mode",
            "Layer 7 with X-Forwarded-For or PROXY protocol, or layer 4 NAT (two-arm)",
            f"the application needs the client's address, and {why_not_dr(data)}",
            ("client_ip_needed", "servers_changeable"),
        )
    else:
        yield Proposal(
            "lb_mode",
            "Layer 4 SNAT",
            snat_reason(data),
            ("servers_changeable", "client_ip_needed"),
        )


def _mode_per_service(services: list[Service], modes: list[tuple[str, str]]) -> Proposal:
    per_mode: dict[str, list[str]] = {}
    for index, (service, (text, _)) in enumerate(zip(services, modes, strict=True)):
        per_mode.setdefault(text, []).append(str(service.get("name") or f"service {index + 1}"))
    summary = "; ".join(f"{text} for {', '.join(names)}" for text, names in per_mode.items())
    return Proposal(
        "lb_mode",
        f"A mode per service: {summary}",
        "the services need different features (see the reason given for each service)",
        ("services",),
    )


def _cookie_lb_mode(data: Data) -> Proposal:
    text = f"{LAYER7} with cookie persistence"
    reason = "at least one service needs cookie persistence, which only layer 7 provides"
    if data.get("needs_client_ip"):
        text += " and X-Forwarded-For"
        reason += "; X-Forwarded-For passes on the client's address, which the application needs"
    return Proposal("lb_mode", text, reason, ("services", "client_ip_needed"))


def _aci_lb_mode(data: Data) -> Proposal:
    based_on = ("network_fabric", "aci_l4l7_vip")
    if data.get("needs_client_ip"):
        return Proposal(
            "lb_mode",
            "Layer 4 NAT (two-arm), or layer 7 with X-Forwarded-For where HTTP features are needed",
            f"{aci_reason(data)}; and SNAT would hide the client's address, which the application needs",
            (*based_on, "client_ip_needed"),
        )
    return Proposal(
        "lb_mode",
        "Layer 4 SNAT, or layer 7 where HTTP features are needed",
        aci_reason(data),
        based_on,
    )


def _deployment_proposals(data: Data) -> Iterator[Proposal]:
    text, reason = overall_scheduler(data)
    yield Proposal("scheduler", text, reason, ("services", "deployment_types"))
    if data.get("dr_candidate"):
        yield _server_changes(data)
    if data.get("is_medical"):
        yield _medical_health_check(data)
        yield _medical_persistence(data)
    if data.get("is_storage"):
        yield Proposal(
            "storage_health_check",
            f"HTTP GET {storage_url(data)}, expecting 200 OK",
            "an S3 node can accept connections while its service is down",
            ("storage_vendor", "storage_health_check_url"),
        )
        yield Proposal(
            "storage_persistence",
            "No persistence; weighted least connections",
            "S3 requests are independent, and least connections spreads large transfers",
            ("storage_read_write_mix",),
        )
    if data.get("is_telephony"):
        yield from _telephony(data)
    if data.get("wants_waf"):
        yield _waf_mode(data)


ARP_FIXES = {
    "linux": "Linux: arp_ignore and arp_announce",
    "windows": "Windows: a loopback adapter and weak-host settings",
}


def _server_changes(data: Data) -> Proposal:
    raw = data.get("server_os")
    chosen = raw if isinstance(raw, list) else []
    fixes = [fix for os_id, fix in ARP_FIXES.items() if os_id in chosen] or list(ARP_FIXES.values())
    if any(os_id in chosen for os_id in ("appliance", "other")):
        fixes.append("other systems: as their supplier documents")
    return Proposal(
        "server_changes",
        "If DR is used: on each real server accept traffic for the VIP without answering ARP for "
        f"it ({'; '.join(fixes)})",
        "DR only rewrites the destination MAC address, so each server must own the VIP silently",
        ("servers_changeable", "server_os"),
    )


DICOM_SERVICES = ("dicom_store", "query_retrieve", "worklist")


def _medical_services(data: Data) -> list[str]:
    chosen = data.get("medical_services")
    return [str(s) for s in chosen] if isinstance(chosen, list) else []


def _medical_health_check(data: Data) -> Proposal:
    chosen = _medical_services(data)
    if chosen and not any(s in DICOM_SERVICES for s in chosen):
        return Proposal(
            "medical_health_check",
            "HTTP(S) GET for web viewers, TCP connect for the other imaging services",
            "no DICOM service (store, query/retrieve, worklist) is in scope, so there is nothing to C-ECHO",
            ("medical_services",),
        )
    ae_titles = (
        "the AE titles given" if data.get("medical_ae_titles") else "AE titles to be confirmed"
    )
    return Proposal(
        "medical_health_check",
        f"DICOM C-ECHO with {ae_titles}, on each DICOM port",
        "C-ECHO proves the DICOM service answers, not just that the port is open",
        ("medical_ae_titles", "medical_services"),
    )


#: (imaging services, their persistence, why), in the order the proposal lists them.
MEDICAL_PERSISTENCE = (
    (
        ("web_viewer",),
        "web viewers: HTTP cookie with source IP as the fallback",
        "viewer sessions keep state on one server",
    ),
    (
        ("worklist", "query_retrieve"),
        "worklist and query/retrieve: source IP",
        "worklist and query sessions keep state on one server",
    ),
    (("dicom_store",), "none for C-STORE", "each stored image stands alone"),
)


def _medical_persistence(data: Data) -> Proposal:
    chosen = _medical_services(data)
    rules = [r for r in MEDICAL_PERSISTENCE if not chosen or any(s in chosen for s in r[0])]
    if not rules:
        return Proposal(
            "medical_persistence",
            "Source IP (timeout 300 s), unless the imaging vendor advises otherwise",
            "none of the imaging services chosen has a persistence rule of its own",
            ("medical_services",),
        )
    text = "; ".join(rule[1] for rule in rules)
    return Proposal(
        "medical_persistence",
        text[0].upper() + text[1:],
        "; ".join(rule[2] for rule in rules),
        ("medical_services",),
    )


def _telephony(data: Data) -> Iterator[Proposal]:
    transports = data.get("telephony_sip_transports")
    chosen = transports if isinstance(transports, list) else []
    if chosen == ["none"]:
        return  # no SIP passes the load balancer: nothing to persist or check
    yield _telephony_persistence(data, chosen)
    yield Proposal(
        "telephony_health_check",
        "SIP OPTIONS, expecting 200 OK",
        "OPTIONS proves the SIP stack answers",
        ("telephony_options_check",),
    )


def _telephony_persistence(data: Data, transports: list[JSON]) -> Proposal:
    based_on = ("telephony_sip_transports", "telephony_callid_persistence")
    answer = data.get("telephony_callid_persistence")
    if answer == "no":
        return Proposal(
            "telephony_persistence",
            "Layer 4 without persistence for SIP",
            "the customer says the messages of a call need not reach the same server",
            based_on,
        )
    if transports and "udp" not in transports:
        return Proposal(
            "telephony_persistence",
            "Layer 4 with source IP persistence (timeout 300 s) for SIP over TCP and TLS",
            "SIP Call-ID persistence is for SIP over UDP, which is not used here; a client's "
            "connection keeps its calls on one server",
            based_on,
        )
    reason = "all messages of a call must reach the same server"
    if answer in UNSURE:
        reason = (
            "most SIP platforms need all messages of a call on one server: to confirm on the call"
        )
    return Proposal(
        "telephony_persistence",
        "Layer 4 with SIP Call-ID persistence for SIP over UDP",
        reason,
        based_on,
    )


def _waf_mode(data: Data) -> Proposal:
    days = data.get("waf_tuning_days")
    period = f"for {days} days" if isinstance(days, int) and days > 0 else "during a tuning period"
    reason = "tuning out false positives before blocking avoids stopping real users"
    if data.get("waf_start_mode") == "blocking":
        reason = f"although the customer asked to block from the start, {reason} (see Risks)"
    return Proposal(
        "waf_mode",
        f"Detection mode {period}, tuning out false positives, then blocking",
        reason,
        ("waf_start_mode", "waf_tuning_days"),
    )


def _per_service(data: Data) -> Iterator[Proposal]:
    for index, service in enumerate(services_of(data)):
        text, reason = service_mode(data, service)
        yield Proposal(f"mode_{index}", text, reason, ("services",))
        text, reason = scheduler(data, service)
        yield Proposal(f"scheduler_{index}", text, reason, ("services",))
        check = health_check(data, service)
        if check:
            yield Proposal(f"health_check_{index}", check[0], check[1], ("services",))
        sticky = persistence(data, service)
        if sticky and service.get("persistence") in (None, "", "other"):
            yield Proposal(f"persistence_{index}", sticky[0], sticky[1], ("services",))
