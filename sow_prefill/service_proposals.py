"""Proposals for each virtual service: its mode, health check, persistence and scheduler.

Each proposal follows from the answers its reason quotes: a reason never states what the
customer did not say ("the VIPs cannot be declared" when they answered "I do not know"), and a
proposal never contradicts an answer (SNAT, which hides the client's address, for a customer
whose application needs it). Where an answer is missing or unsure, the reason says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from questionnaire.engine.types import JSON

LAYER7 = "Layer 7 (HAProxy)"
UNSURE = (None, "", "not_sure")
WEB = ("http", "https")
DICOM_PORTS = frozenset({"104", "11112", "2762"})
SIP_PORTS = frozenset({"5060", "5061"})
ADMIN_WORDS = ("console", "admin", "iam")
DEPLOYMENT_FLAGS = ("is_medical", "is_storage", "is_waf", "is_telephony", "is_general")

Data = Mapping[str, JSON]
Service = Mapping[str, JSON]
Choice = tuple[str, str]  # (proposal, reason)


def services_of(data: Data) -> list[Service]:
    raw = data.get("services")
    return [s for s in raw if isinstance(s, Mapping)] if isinstance(raw, list) else []


def _name(service: Service) -> str:
    return str(service.get("name", "")).lower()


def _ports(service: Service) -> set[str]:
    return set(re.findall(r"\d+", str(service.get("ports", ""))))


def has_port_range(service: Service) -> bool:
    """A range ("8000-8010") hints that ports are translated, which DR cannot do."""
    return "-" in str(service.get("ports", ""))


def is_web(service: Service) -> bool:
    return service.get("protocol") in WEB


def is_sip(data: Data, service: Service) -> bool:
    return bool(
        data.get("is_telephony")
        and ("sip" in _name(service) or _ports(service) & SIP_PORTS)
        and service.get("protocol") != "https"
    )


def is_dicom(data: Data, service: Service) -> bool:
    return bool(
        data.get("is_medical")
        and service.get("protocol") == "tcp"
        and ("dicom" in _name(service) or _ports(service) & DICOM_PORTS)
    )


def is_s3(data: Data, service: Service) -> bool:
    """An S3 service of the object storage: named so, or any web service when storage is the
    only deployment type. A PACS viewer in a SoW that also has storage is not one."""
    if not (data.get("is_storage") and is_web(service)):
        return False
    if any(word in _name(service) for word in ADMIN_WORDS):
        return False
    only_storage = not any(data.get(flag) for flag in DEPLOYMENT_FLAGS if flag != "is_storage")
    return "s3" in _name(service) or only_storage


# Why DR is or is not possible --------------------------------------------------------------------


def aci_blocks_dr(data: Data) -> bool:
    return bool(data.get("uses_aci")) and data.get("aci_l4l7_vip") != "yes"


def aci_reason(data: Data) -> str:
    if data.get("aci_l4l7_vip") == "no":
        declared = "the VIPs cannot be declared as L4-L7 virtual IPs"
    else:
        declared = "it is not known yet whether the VIPs can be declared as L4-L7 virtual IPs"
    return f"the fabric is Cisco ACI and {declared}, so DR would let the fabric learn the VIP on the servers' ports"


DR_REASON = (
    "the fastest mode: the servers can be changed (the ARP fix) and no port translation is needed"
)


def why_not_dr(data: Data, service: Service | None = None) -> str:
    if data.get("is_cloud"):
        return "in a public cloud DR is usually not available"
    if data.get("servers_changeable") == "no":
        return "the servers cannot be changed for DR"
    if data.get("servers_changeable") in UNSURE:
        return "it is not known yet whether the servers can be changed for DR (DR is faster if they can)"
    if service is not None and has_port_range(service):
        return "DR cannot translate ports, and this service listens on a port range"
    return "DR does not suit this service"


def snat_reason(data: Data, service: Service | None = None) -> str:
    """Why SNAT: no changes on the servers, and (as far as the answers say) no need for the
    client's address, which SNAT hides."""
    if data.get("client_ip_needed") == "no":
        client = "nothing needs the client's own address"
    else:
        client = (
            "if the application turns out to need the client's address, NAT or layer 7 with "
            "X-Forwarded-For keep it"
        )
    return f"SNAT needs no changes on the servers: {why_not_dr(data, service)}; {client}"


# The mode of one service ---------------------------------------------------------------------------


def service_mode(data: Data, service: Service) -> Choice:
    """The mode proposed for one service, with its reason."""
    if aci_blocks_dr(data):
        return _aci_mode(data, service)
    layer7 = _layer7_reason(data, service)
    if layer7 is not None:
        return _with_client_address(data, (LAYER7, layer7))
    sip = " with SIP Call-ID persistence" if service.get("persistence") == "sip_call_id" else ""
    if data.get("dr_candidate") and not has_port_range(service):
        return f"Layer 4 direct routing (DR){sip}", DR_REASON
    if data.get("needs_client_ip"):
        reason = f"the application needs the client's address, and {why_not_dr(data, service)}"
        if is_web(service):
            return f"{LAYER7} with X-Forwarded-For", reason
        return f"Layer 4 NAT (two-arm){sip}", reason
    return f"Layer 4 SNAT{sip}", snat_reason(data, service)


def _aci_mode(data: Data, service: Service) -> Choice:
    reason = aci_reason(data)
    if is_web(service):
        return _with_client_address(data, (LAYER7, reason))
    if data.get("needs_client_ip"):
        return (
            "Layer 4 NAT (two-arm)",
            f"{reason}; and SNAT would hide the client's address, which the application needs",
        )
    return "Layer 4 SNAT", reason


def _layer7_reason(data: Data, service: Service) -> str | None:
    """Why a web service needs layer 7, if it does."""
    if not is_web(service):
        return None
    if service.get("persistence") == "cookie":
        if service.get("protocol") == "https" and service.get("tls_handling") == "passthrough":
            return (
                "cookie persistence needs layer 7, which must decrypt TLS to read the cookie, "
                "although the answers pass TLS through to the servers: to settle on the call"
            )
        return "cookie persistence needs layer 7"
    if service.get("tls_handling") in ("terminate", "reencrypt"):
        return "TLS is decrypted on the load balancer, which a full proxy does"
    if data.get("is_waf"):
        return "the WAF sits in front of a layer 7 service"
    return None


def _with_client_address(data: Data, choice: Choice) -> Choice:
    """Layer 7 hides the client's address unless told to pass it on."""
    if not data.get("needs_client_ip"):
        return choice
    text, reason = choice
    return (
        f"{text} with X-Forwarded-For",
        f"{reason}; X-Forwarded-For passes on the client's address, which the application needs",
    )


# Health checks, persistence, scheduler ---------------------------------------------------------------

HEALTH_CHECKS = {
    "https": "HTTPS GET of the application's health page, expecting 200 OK",
    "http": "HTTP GET of the application's health page, expecting 200 OK",
    "tcp": "TCP connect",
    "udp": "Ping, or a protocol-specific negotiate check",
    "tcp_udp": "TCP connect",
}
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
S3_SCHEDULER = (
    "Weighted least connections",
    "S3 transfers vary in size, and least connections spreads the long ones",
)
SCHEDULER = (
    "Weighted least connections",
    "each new connection goes to the server with the fewest for its weight, which copes with uneven sessions",
)


def storage_url(data: Data) -> str:
    vendor = data.get("storage_vendor")
    return str(
        data.get("storage_health_check_url")
        or {
            "minio": "/minio/health/live on port 9000",
            "cloudian": "/.healthCheck",
        }.get(str(vendor), "the vendor's health URL")
    )


def health_check(data: Data, service: Service) -> Choice | None:
    protocol = str(service.get("protocol", ""))
    if is_dicom(data, service):
        return (
            "DICOM C-ECHO",
            "C-ECHO proves the DICOM service answers, not just that the port is open",
        )
    if is_sip(data, service):
        return "SIP OPTIONS, expecting 200 OK", "OPTIONS proves the SIP stack answers"
    if is_s3(data, service):
        return (
            f"HTTP GET {storage_url(data)}, expecting 200 OK",
            "an S3 node can accept connections while its service is down",
        )
    check = HEALTH_CHECKS.get(protocol)
    return (check, f"suits {protocol.upper()} services") if check else None


def persistence(data: Data, service: Service) -> Choice | None:
    protocol = str(service.get("protocol", ""))
    sip_over_udp = is_sip(data, service) and protocol in ("udp", "tcp_udp")
    if sip_over_udp and data.get("telephony_callid_persistence") != "no":
        return "SIP Call-ID", "all messages of a call must reach the same server"
    if is_s3(data, service):
        return "None", "S3 requests are independent of each other"
    if protocol == "https" and service.get("tls_handling") == "passthrough":
        return (
            "Source IP (timeout 300 s)",
            "TLS passes through to the servers, so the load balancer cannot read a cookie",
        )
    return PERSISTENCE.get(protocol)


def scheduler(data: Data, service: Service) -> Choice:
    return S3_SCHEDULER if is_s3(data, service) else SCHEDULER


def overall_scheduler(data: Data) -> Choice:
    """S3's reason only when every service is an S3 service (or, with no services listed,
    when storage is all the SoW is about)."""
    services = services_of(data)
    if services:
        return S3_SCHEDULER if all(is_s3(data, s) for s in services) else SCHEDULER
    return S3_SCHEDULER if is_s3(data, {"protocol": "https"}) else SCHEDULER
