"""What a Project Detail Record holds: its tables, their columns, and each column's answer type.

Every value is a row of a table (virtual services and their real servers, HA appliances,
networks, GSLB names, WAF gateways, free sections), so one way of adding, changing and removing
rows serves the whole record. Each column is checked by a question of the questionnaire engine
(addresses, CIDR, ports, FQDNs), so the PDR refuses exactly what the questionnaire refuses, with
the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from questionnaire.engine.model import (
    Choice,
    ChoiceQuestion,
    HostnameQuestion,
    IntegerQuestion,
    IPAddressQuestion,
    LongTextQuestion,
    Question,
    SimpleTypedQuestion,
    TextQuestion,
)

#: A column whose value is a list of ports ("80, 443"), each checked as a port answer.
PORTS = "ports"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    question: Question | None  # None for PORTS
    required: bool = False
    hint: str | None = None

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.question.choices if isinstance(self.question, ChoiceQuestion) else ()

    @property
    def multiline(self) -> bool:
        return isinstance(self.question, LongTextQuestion)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    item: str  # one row, as a sentence names it: "virtual service"
    columns: tuple[Column, ...]
    children: tuple[Table, ...] = ()

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def child(self, key: str) -> Table | None:
        return next((t for t in self.children if t.key == key), None)


def _text(key: str, label: str, *, required: bool = False, hint: str | None = None) -> Column:
    question = TextQuestion(id=key, label=label, type="text", max_length=200)
    return Column(key, label, question, required, hint)


def _choice(key: str, label: str, options: dict[str, str], *, required: bool = False) -> Column:
    choices = tuple(Choice(value=value, label=text) for value, text in options.items())
    return Column(key, label, ChoiceQuestion(id=key, label=label, type="choice", choices=choices),
                  required)  # fmt: skip


def _address(key: str, label: str, *, required: bool = False) -> Column:
    return Column(key, label, IPAddressQuestion(id=key, label=label, type="ip_address"), required)


def _whole(key: str, label: str, low: int, high: int) -> Column:
    question = IntegerQuestion(id=key, label=label, type="integer", min=low, max=high)
    return Column(key, label, question)


PROTOCOLS = {"tcp": "TCP", "udp": "UDP", "tcp_udp": "TCP and UDP", "http": "HTTP",
             "https": "HTTPS"}  # fmt: skip
TLS = {"none": "None (plain traffic)", "terminate": "Terminate on the load balancer",
       "passthrough": "Pass through to the servers",
       "reencrypt": "Terminate, then re-encrypt to the servers"}  # fmt: skip
HA_ROLES = {"primary": "Primary", "secondary": "Secondary", "single": "Single appliance"}
WAF_MODES = {"detection": "Detection only", "blocking": "Blocking"}

REAL_SERVERS = Table(
    "real_servers", "Real servers", "real server",
    (
        _text("name", "Name"),
        _address("address", "Address", required=True),
        Column("port", "Port", SimpleTypedQuestion(id="port", label="Port", type="port"),
               hint="Leave blank to use the virtual service's port"),
        _whole("weight", "Weight", 0, 256),
    ),
)  # fmt: skip

VIRTUAL_SERVICES = Table(
    "virtual_services", "Virtual services", "virtual service",
    (
        _text("name", "Name", required=True),
        _address("vip", "Virtual IP address (VIP)"),
        Column(PORTS, "Ports", None, hint="For example 80, 443"),
        _choice("protocol", "Protocol", PROTOCOLS),
        _text("mode", "Mode", hint="For example Layer 4 DR, Layer 4 SNAT or Layer 7"),
        _text("persistence", "Persistence"),
        _text("scheduler", "Scheduler"),
        _text("health_check", "Health check"),
        _choice("tls", "TLS", TLS),
    ),
    (REAL_SERVERS,),
)  # fmt: skip

HA = Table(
    "ha", "High availability", "appliance",
    (
        _text("name", "Appliance", required=True),
        _choice("role", "Role", HA_ROLES),
        _address("management_address", "Management address"),
        _address("floating_address", "Floating address"),
        _text("heartbeat", "Heartbeat", hint="For example unicast on eth1"),
    ),
)  # fmt: skip

ADDRESSING = Table(
    "addressing", "Addressing", "network",
    (
        _text("name", "Name", required=True),
        Column("network", "Network", SimpleTypedQuestion(id="network", label="Network",
                                                         type="cidr"), required=True),
        _address("gateway", "Gateway"),
        _whole("vlan", "VLAN", 1, 4094),
    ),
)  # fmt: skip

GSLB = Table(
    "gslb", "GSLB", "global name",
    (
        Column("name", "Global name", HostnameQuestion(id="name", label="Global name",
                                                       type="hostname", fqdn=True), required=True),
        _whole("ttl", "TTL (seconds)", 0, 86_400),
        _text("members", "Members", hint="The sites or addresses that answer for it"),
        _text("monitor", "Monitor"),
    ),
)  # fmt: skip

WAF = Table(
    "waf", "WAF", "WAF gateway",
    (
        _text("name", "Name", required=True),
        _text("service", "Virtual service protected"),
        _choice("mode", "Mode", WAF_MODES),
        _whole("threshold", "Anomaly score threshold", 1, 1000),
    ),
)  # fmt: skip

SECTIONS = Table(
    "sections", "Other sections", "section",
    (
        _text("title", "Title", required=True),
        Column("text", "Text", LongTextQuestion(id="text", label="Text", type="long_text",
                                                max_length=20_000), required=True),
    ),
)  # fmt: skip

TABLES: tuple[Table, ...] = (VIRTUAL_SERVICES, HA, ADDRESSING, GSLB, WAF, SECTIONS)
BY_KEY = {table.key: table for table in TABLES}
#: The most rows a table may hold: bounds the work of a save, a diff and an export.
MAX_ROWS = 500
