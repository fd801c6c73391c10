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
#: Per-service topics: ``mode_0``, ``health_check_1``, ``persistence_2`` (the record's index).
TOPIC_PATTERNS = (re.compile(r"^(mode|health_check|persistence)_\d+$"),)

LAYER7 = "Layer 7 (HAProxy)"


def known_topic(topic: str) -> bool:
    return topic in TOPICS or any(p.match(topic) for p in TOPIC_PATTERNS)


def recommendations(answers: Mapping[str, JSON], computed: Mapping[str, JSON]) -> list[Proposal]:
    data = {**answers, **computed}
    return [
        *_lb_mode(data),
        *_services(data),
        *risks(data),
    ]


def _services_list(data: Mapping[str, JSON]) -> list[Mapping[str, JSON]]:
    raw = data.get("services")
    return [s for s in raw if isinstance(s, Mapping)] if isinstance(raw, list) else []


def _needs_cookies(data: Mapping[str, JSON]) -> bool:
    return any(s.get("persistence") == "cookie" for s in _services_list(data))


def _has_port_range(service: Mapping[str, JSON]) -> bool:
    """A service listening on several ports or a VIP port that differs from the servers' (unknown
    here) cannot be told apart; ranges are a hint that DR's port rule matters."""
    return "-" in str(service.get("ports", ""))


def _translates_ports(data: Mapping[str, JSON]) -> bool:
    return any(_has_port_range(s) for s in _services_list(data))


def _aci_blocks_dr(data: Mapping[str, JSON]) -> bool:
    return bool(data.get("uses_aci")) and data.get("aci_l4l7_vip") != "yes"


ACI_REASON = (
    "the fabric is Cisco ACI and the VIPs cannot be declared as L4-L7 virtual IPs, so DR "
    "would let the fabric learn the VIP on the servers' ports"
)
DR_REASON = (
    "the fastest mode: the servers can be changed (the ARP fix) and no port translation is needed"
)


def _lb_mode(data: Mapping[str, JSON]) -> Iterator[Proposal]:
    modes = [_service_mode(data, s) for s in _services_list(data)]
    if len({text for text, _ in modes}) > 1:
        names = [
            str(s.get("name") or f"service {i + 1}") for i, s in enumerate(_services_list(data))
        ]
        per_mode: dict[str, list[str]] = {}
        for name, (text, _) in zip(names, modes, strict=True):
            per_mode.setdefault(text, []).append(name)
        summary = "; ".join(f"{text} for {', '.join(found)}" for text, found in per_mode.items())
        yield Proposal(
            "lb_mode",
            f"A mode per service: {summary}",
            "the services need different features (see the reason given for each service)",
            ("services",),
        )
    elif _aci_blocks_dr(data):
        yield Proposal(
            "lb_mode",
            "Layer 4 SNAT, or layer 7 where HTTP features are needed",
            ACI_REASON,
            ("network_fabric", "aci_l4l7_vip"),
        )
    elif _needs_cookies(data):
        yield Proposal(
            "lb_mode",
            "Layer 7 (HAProxy) with cookie persistence",
            "at least one service needs cookie persistence, which only layer 7 provides",
            ("services",),
        )
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
            "the application needs the client's address but the servers cannot be changed for DR",
            ("client_ip_needed", "servers_changeable"),
        )
    else:
        yield Proposal(
            "lb_mode",
            "Layer 4 SNAT",
            _snat_reason(data),
            ("servers_changeable", "client_ip_needed"),
        )


def _snat_reason(data: Mapping[str, JSON]) -> str:
    if data.get("servers_changeable") in (None, "", "not_sure"):
        return "SNAT needs no changes on the servers; DR is faster if the servers can be changed"
    if data.get("is_cloud"):
        return "in a public cloud DR is usually not available, and SNAT needs no changes on the servers"
    return "no changes are needed on the servers and nothing needs the client's own address"


def _service_mode(data: Mapping[str, JSON], service: Mapping[str, JSON]) -> tuple[str, str]:
    """The mode proposed for one service, with its reason."""
    protocol = service.get("protocol")
    web = protocol in ("http", "https")
    if _aci_blocks_dr(data):
        return (LAYER7, ACI_REASON) if web else ("Layer 4 SNAT", ACI_REASON)
    if web and service.get("persistence") == "cookie":
        return LAYER7, "cookie persistence needs layer 7"
    if web and service.get("tls_handling") in ("terminate", "reencrypt"):
        return LAYER7, "TLS is decrypted on the load balancer, which a full proxy does"
    if web and data.get("is_waf"):
        return LAYER7, "the WAF sits in front of a layer 7 service"
    sip = " with SIP Call-ID persistence" if service.get("persistence") == "sip_call_id" else ""
    if data.get("dr_candidate") and not _has_port_range(service):
        return f"Layer 4 direct routing (DR){sip}", DR_REASON
    if data.get("needs_client_ip"):
        if web:
            return f"{LAYER7} with X-Forwarded-For", "the application needs the client's address"
        return (
            f"Layer 4 NAT (two-arm){sip}",
            "the servers need the client's address and cannot use DR",
        )
    return f"Layer 4 SNAT{sip}", _snat_reason(data)


PERSISTENCE = {
    "https": ("HTTP cookie, with source IP as the fallback", "web sessions stick to one server"),
    "http": ("HTTP cookie, with source IP as the fallback", "web sessions stick to one server"),
    "udp": ("Source IP (timeout 300 s)", "UDP has no session to follow"),
    "tcp": (
        "None, or source IP (timeout 300 s) if the application keeps session state on one server",
        "a TCP service needs persistence only when its servers do not share session state",
    ),
    "tcp_udp": (
        "Source IP (timeout 300 s), so that the TCP and UDP traffic of a client meet on one server",
        "UDP has no session to follow",
    ),
}
HEALTH_CHECKS = {
    "https": "HTTPS GET of the application's health page, expecting 200 OK",
    "http": "HTTP GET of the application's health page, expecting 200 OK",
    "tcp": "TCP connect",
    "udp": "Ping, or a protocol-specific negotiate check",
    "tcp_udp": "TCP connect",
}
DICOM_PORTS = frozenset({"104", "11112", "2762"})
SIP_PORTS = frozenset({"5060", "5061"})


def _ports(service: Mapping[str, JSON]) -> set[str]:
    return set(re.findall(r"\d+", str(service.get("ports", ""))))


def _storage_url(data: Mapping[str, JSON]) -> str:
    vendor = data.get("storage_vendor")
    return str(
        data.get("storage_health_check_url")
        or {
            "minio": "/minio/health/live on port 9000",
            "cloudian": "/.healthCheck",
        }.get(str(vendor), "the vendor's health URL")
    )


def _health_check(data: Mapping[str, JSON], service: Mapping[str, JSON]) -> tuple[str, str] | None:
    protocol = str(service.get("protocol", ""))
    name = str(service.get("name", "")).lower()
    if (
        data.get("is_medical")
        and protocol == "tcp"
        and ("dicom" in name or _ports(service) & DICOM_PORTS)
    ):
        return (
            "DICOM C-ECHO",
            "C-ECHO proves the DICOM service answers, not just that the port is open",
        )
    if (
        data.get("is_telephony")
        and ("sip" in name or _ports(service) & SIP_PORTS)
        and protocol != "https"
    ):
        return "SIP OPTIONS, expecting 200 OK", "OPTIONS proves the SIP stack answers"
    admin = any(word in name for word in ("console", "admin", "iam"))
    if data.get("is_storage") and protocol in ("http", "https") and not admin:
        return (
            f"HTTP GET {_storage_url(data)}, expecting 200 OK",
            "an S3 node can accept connections while its service is down",
        )
    check = HEALTH_CHECKS.get(protocol)
    return (check, f"suits {protocol.upper()} services") if check else None


def _persistence(data: Mapping[str, JSON], service: Mapping[str, JSON]) -> tuple[str, str] | None:
    protocol = str(service.get("protocol", ""))
    name = str(service.get("name", "")).lower()
    if (
        data.get("is_telephony")
        and ("sip" in name or _ports(service) & SIP_PORTS)
        and protocol != "https"
    ):
        return "SIP Call-ID", "all messages of a call must reach the same server"
    if data.get("is_storage") and "s3" in name:
        return "None", "S3 requests are independent of each other"
    return PERSISTENCE.get(protocol)


def _services(data: Mapping[str, JSON]) -> Iterator[Proposal]:
    yield _scheduler(data)
    if data.get("dr_candidate"):
        yield Proposal(
            "server_changes",
            "If DR is used: on each real server accept traffic for the VIP without answering ARP for it "
            "(Linux: arp_ignore and arp_announce; Windows: a loopback adapter and weak-host settings)",
            "DR only rewrites the destination MAC address, so each server must own the VIP silently",
            ("servers_changeable", "server_os"),
        )
    if data.get("is_medical"):
        ae_titles = (
            "the AE titles given" if data.get("medical_ae_titles") else "AE titles to be confirmed"
        )
        yield Proposal(
            "medical_health_check",
            f"DICOM C-ECHO with {ae_titles}, on each DICOM port",
            "C-ECHO proves the DICOM service answers, not just that the port is open",
            ("medical_ae_titles",),
        )
        yield Proposal(
            "medical_persistence",
            "Web viewers: HTTP cookie with source IP as the fallback; worklist and query/retrieve: "
            "source IP; none for C-STORE",
            "viewer and worklist sessions keep state on one server, while each stored image stands alone",
            ("medical_services",),
        )
    if data.get("is_storage"):
        yield Proposal(
            "storage_health_check",
            f"HTTP GET {_storage_url(data)}, expecting 200 OK",
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
        yield Proposal(
            "telephony_persistence",
            "Layer 4 with SIP Call-ID persistence for SIP over UDP",
            "all messages of a call must reach the same server",
            ("telephony_sip_transports", "telephony_callid_persistence"),
        )
        yield Proposal(
            "telephony_health_check",
            "SIP OPTIONS, expecting 200 OK",
            "OPTIONS proves the SIP stack answers",
            ("telephony_options_check",),
        )
    if data.get("wants_waf"):
        days = data.get("waf_tuning_days")
        period = (
            f"for {days} days" if isinstance(days, int) and days > 0 else "during a tuning period"
        )
        yield Proposal(
            "waf_mode",
            f"Detection mode {period}, tuning out false positives, then blocking",
            "tuning out false positives before blocking avoids stopping real users",
            ("waf_start_mode", "waf_tuning_days"),
        )
    for index, service in enumerate(_services_list(data)):
        text, reason = _service_mode(data, service)
        yield Proposal(f"mode_{index}", text, reason, ("services",))
        check = _health_check(data, service)
        if check:
            yield Proposal(f"health_check_{index}", check[0], check[1], ("services",))
        persistence = _persistence(data, service)
        if persistence and service.get("persistence") in (None, "", "other"):
            yield Proposal(f"persistence_{index}", persistence[0], persistence[1], ("services",))


def _scheduler(data: Mapping[str, JSON]) -> Proposal:
    if data.get("is_storage"):
        return Proposal(
            "scheduler",
            "Weighted least connections",
            "S3 transfers vary in size, and least connections spreads the long ones",
            ("storage_read_write_mix",),
        )
    return Proposal(
        "scheduler",
        "Weighted least connections",
        "each new connection goes to the server with the fewest for its weight, which copes with uneven sessions",
        ("services",),
    )
