"""The first revision of a PDR, from the accepted SoW's proposals and the customer's answers.

Nothing here is settled: every value taken over is marked as proposed, with where it came from,
for the engineer to confirm or change. Values the engine's parsers refuse are left out (and said
so), so the first revision is as sound as any saved later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from questionnaire.engine.answers import Invalid

from .pdr import PROPOSED, Content, Row, empty, parse_value
from .pdr_spec import ADDRESSING, HA, REAL_SERVERS, VIRTUAL_SERVICES, Table

ANSWER = "the customer's answer"
#: Per-service proposals of the SoW pre-fill (``mode_0``...) and the column each fills.
PER_SERVICE = {"mode": "mode", "scheduler": "scheduler", "health_check": "health_check",
               "persistence": "persistence"}  # fmt: skip
TLS_ANSWERS = {"terminate", "passthrough", "reencrypt", "none"}


def from_sow(answers: Mapping[str, Any], proposals: Iterable[Mapping[str, Any]]) -> Content:
    by_topic = {str(p.get("topic")): p for p in proposals if isinstance(p, Mapping)}
    content = empty()
    services = answers.get("services")
    for index, service in enumerate(services if isinstance(services, list) else []):
        if isinstance(service, Mapping):
            content["virtual_services"].append(_service(service, index, by_topic))
    content["ha"] = _ha(answers)
    content["addressing"] = _addressing(answers)
    content["sections"] = _other_proposals(by_topic)
    return content


def _fill(table: Table, values: Mapping[str, tuple[Any, str]]) -> Row:
    """A row of the values the table's columns accept, each marked with why it is there."""
    row: Row = {}
    proposed: dict[str, str] = {}
    for key, (raw, why) in values.items():
        column = table.column(key)
        value = parse_value(column, raw) if column and raw not in (None, "") else None
        if value is not None and not isinstance(value, Invalid):
            row[key], proposed[key] = value, why
    row[PROPOSED] = proposed
    return row


def _service(service: Mapping[str, Any], index: int, by_topic: Mapping[str, Any]) -> Row:
    values: dict[str, tuple[Any, str]] = {
        "name": (service.get("name") or f"Service {index + 1}", ANSWER),
        "vip": (service.get("vip"), ANSWER),
        "ports": (service.get("ports"), ANSWER),
        "protocol": (service.get("protocol"), ANSWER),
    }
    if service.get("tls_handling") in TLS_ANSWERS:
        values["tls"] = (service.get("tls_handling"), ANSWER)
    if service.get("persistence") not in (None, "", "other"):
        values["persistence"] = (str(service["persistence"]).replace("_", " "), ANSWER)
    for topic, key in PER_SERVICE.items():
        proposal = by_topic.get(f"{topic}_{index}")
        if proposal and key not in values:
            values[key] = (proposal.get("text"), f"proposed in the SoW: {proposal.get('reason')}")
    if key_check := service.get("health_check"):
        values.setdefault("health_check", (key_check, ANSWER))
    row = _fill(VIRTUAL_SERVICES, values)
    servers = service.get("real_servers")
    if isinstance(servers, list):  # the service's nested real servers, one record each
        row["real_servers"] = list(_nested_servers(servers))
    else:
        row["real_servers"] = list(_real_servers(str(servers or "")))
    return row


def _nested_servers(records: list[Any]) -> Iterable[Row]:
    """The service's real servers as its nested group asks for them (name, ip, port)."""
    for record in records[:500]:
        if not isinstance(record, Mapping):
            continue
        values = {
            "name": (record.get("name"), ANSWER),
            "address": (record.get("ip"), ANSWER),
            "port": (record.get("port"), ANSWER),
        }
        row = _fill(REAL_SERVERS, values)
        if "address" in row:
            yield row


def _real_servers(text: str) -> Iterable[Row]:
    """``10.0.1.11`` or ``10.0.1.11:8443`` per line, as earlier versions of the questionnaire
    asked for them (answers given then are still read)."""
    for line in text.splitlines()[:500]:
        address, _, port = line.strip().rpartition(":") if line.count(":") == 1 else (line, "", "")
        row = _fill(REAL_SERVERS, {"address": (address.strip(), ANSWER), "port": (port, ANSWER)})
        if "address" in row:
            yield row


def _ha(answers: Mapping[str, Any]) -> list[Row]:
    if answers.get("ha_pair") is True:
        return [
            _fill(HA, {"name": ("Primary", ANSWER), "role": ("primary", ANSWER),
                       "management_address": (answers.get("mgmt_ip_primary"), ANSWER)}),
            _fill(HA, {"name": ("Secondary", ANSWER), "role": ("secondary", ANSWER),
                       "management_address": (answers.get("mgmt_ip_secondary"), ANSWER)}),
        ]  # fmt: skip
    if answers.get("ha_pair") is False:
        return [_fill(HA, {"name": ("Appliance", ANSWER), "role": ("single", ANSWER),
                           "management_address": (answers.get("mgmt_ip_primary"), ANSWER)})]  # fmt: skip
    return []


def _addressing(answers: Mapping[str, Any]) -> list[Row]:
    rows = []
    if answers.get("vip_subnet"):
        rows.append(_fill(ADDRESSING, {"name": ("Virtual services", ANSWER),
                                       "network": (answers["vip_subnet"], ANSWER),
                                       "gateway": (answers.get("default_gateway"), ANSWER)}))  # fmt: skip
    if answers.get("server_subnet"):
        rows.append(_fill(ADDRESSING, {"name": ("Real servers", ANSWER),
                                       "network": (answers["server_subnet"], ANSWER)}))  # fmt: skip
    return [row for row in rows if "network" in row]


def _other_proposals(by_topic: Mapping[str, Mapping[str, Any]]) -> list[Row]:
    """The SoW's proposals that are not one service's, as a section to read and act on."""
    lines = [
        f"{proposal.get('text')} ({proposal.get('reason')})"
        for topic, proposal in by_topic.items()
        if topic.rpartition("_")[0] not in PER_SERVICE
    ]
    if not lines:
        return []
    return [{"title": "Proposals from the Statement of Work", "text": "\n".join(lines),
             PROPOSED: {"text": "proposed in the SoW"}}]  # fmt: skip
