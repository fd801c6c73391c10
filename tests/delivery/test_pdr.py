"""The PDR's content: rows read with the engine's parsers, locations, edits and validation."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questionnaire.delivery import BY_KEY, Refused, empty, parse_location, parse_row, validate
from questionnaire.delivery.pdr import PROPOSED, put_row, remove_row, row_at

SERVICES = BY_KEY["virtual_services"]


def test_a_row_is_read_with_the_questionnaires_own_messages() -> None:
    row, errors = parse_row(
        SERVICES, {"name": "web", "vip": "10.0.0.300", "ports": "80, 99999", "protocol": "ftp"}
    )
    assert errors == {
        "vip": "Enter an IP address, like 192.0.2.10 or 2001:db8::10",
        "ports": "Enter ports between 1 and 65535, separated by commas, like 80, 443",
        "protocol": "Select one of the options",
    }
    assert row == {"name": "web"}


def test_a_good_row_is_normalised() -> None:
    row, errors = parse_row(
        SERVICES,
        {"name": " web ", "vip": "10.0.0.10", "ports": "443; 80, 443", "protocol": "https"},
    )
    assert errors == {}
    assert row == {"name": "web", "vip": "10.0.0.10", "ports": [443, 80], "protocol": "https"}


@pytest.mark.parametrize(
    ("table", "raw", "field", "message"),
    [
        ("addressing", {"name": "n", "network": "10.0.0.0/33"}, "network", "CIDR"),
        ("gslb", {"name": "intranet"}, "name", "fully qualified"),
        ("addressing", {"name": "n", "network": "10.0.0.0/24", "vlan": "5000"}, "vlan", "4094"),
        ("sections", {"title": "t", "text": "a\x00b"}, "text", "unusual characters"),
        ("virtual_services", {"vip": "10.0.0.1"}, "name", "Enter the name"),
    ],
)
def test_each_type_refuses_what_the_engine_refuses(
    table: str, raw: dict[str, str], field: str, message: str
) -> None:
    _, errors = parse_row(BY_KEY[table], raw)
    assert message in errors[field]


def test_locations_name_rows_and_nested_rows() -> None:
    location = parse_location("virtual_services.2.real_servers.new")
    assert (location.tables, location.parents, location.index) == (
        ("virtual_services", "real_servers"), (2,), None,
    )  # fmt: skip
    assert location.path == "virtual_services.2.real_servers.new"
    assert location.table().key == "real_servers"


@pytest.mark.parametrize(
    "text", ["", "nope.0", "virtual_services", "virtual_services.x", "ha.0.real_servers.0",
             "virtual_services.99999", "virtual_services.-1", "virtual_services.\u0661"],
)  # fmt: skip
def test_forged_locations_are_refused(text: str) -> None:
    with pytest.raises(Refused):
        parse_location(text)


@given(st.text(max_size=60))
def test_no_text_makes_parse_location_fail_otherwise(text: str) -> None:
    with contextlib.suppress(Refused):
        parse_location(text)


def test_adding_changing_and_removing_rows_leaves_the_old_content_alone() -> None:
    start = empty()
    added, note = put_row(start, parse_location("virtual_services.new"), {"name": "web"})
    assert note == "Added virtual service “web”"
    assert start["virtual_services"] == []
    with_server, _ = put_row(
        added, parse_location("virtual_services.0.real_servers.new"), {"address": "10.0.1.1"}
    )
    # Changing the service keeps its real servers and confirms its proposals.
    with_server["virtual_services"][0][PROPOSED] = {"vip": "the customer's answer"}
    changed, note = put_row(with_server, parse_location("virtual_services.0"), {"name": "www"})
    assert note == "Changed virtual service “www”"
    assert changed["virtual_services"][0] == {
        "name": "www", "real_servers": [{"address": "10.0.1.1"}]
    }  # fmt: skip
    removed, note = remove_row(changed, parse_location("virtual_services.0.real_servers.0"))
    assert note == "Removed real server “10.0.1.1”"
    assert removed["virtual_services"][0]["real_servers"] == []


def test_a_row_removed_in_a_newer_revision_is_refused_not_a_crash() -> None:
    with pytest.raises(Refused, match="removed"):
        row_at(empty(), parse_location("virtual_services.0"))
    with pytest.raises(Refused, match="removed"):
        put_row(empty(), parse_location("virtual_services.3.real_servers.new"), {})


def test_validate_reports_by_path_and_refuses_twin_names() -> None:
    content = empty()
    content["virtual_services"] = [
        {"name": "web", "vip": "10.0.0.1", "real_servers": [{"address": "not an address"}]},
        {"name": "WEB", "ports": [80]},
    ]
    assert validate(content) == {
        "virtual_services.0.real_servers.0.address":
            "Enter an IP address, like 192.0.2.10 or 2001:db8::10",
        "virtual_services.1.name": "Give each virtual service its own name",
    }  # fmt: skip
    content["virtual_services"][1]["name"] = "api"
    content["virtual_services"][0]["real_servers"] = [{"address": "10.0.1.1", "port": 8080}]
    assert validate(content) == {}


def test_validate_refuses_shapes_that_are_not_rows() -> None:
    assert validate({"ha": "primary"}) == {"ha": "High availability: a list of rows"}
    assert validate({"waf": [{"name": str(n)} for n in range(501)]}) == {
        "waf": "WAF: at most 500 rows"
    }
    assert validate({"ha": [1]}) == {"ha.0": "Each appliance needs its details"}
