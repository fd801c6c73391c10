"""Answering the pre-discovery questionnaire's pages in a browser, one function per page.

The answers are those of the complete cases in ``definitions/tests/pre_discovery.yaml``. Each
function starts on its page and ends on the page that follows (checked), so tests read as the
respondent's way through the questionnaire. They work with and without JavaScript: a question
that an answer shows on the same page is waited for with :func:`helpers.reveal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .helpers import (
    add_record,
    at,
    back,
    choose,
    choose_searchable,
    enhanced,
    field,
    fill_record,
    fill_text,
    on_page,
    reveal,
    save_and_continue,
    tick,
    upload,
)

ORGANISATION = "Northshire Health"

PACS_VIEWER = {
    "name": "PACS web viewer",
    "protocol": "https",
    "ports": "443",
    "vip": "10.20.0.50",
    "persistence": "source_ip",
    "real_server_count": "2",
    "health_check": "GET /health returns 200",
}
#: The PACS web viewer's servers, each added on a page of its own under the service.
PACS_SERVERS = [{"name": "pacs-web-01", "ip": "10.20.1.11"}, {"ip": "10.20.1.12", "port": "8443"}]
DICOM_STORE = {
    "name": "DICOM store",
    "protocol": "tcp",
    "ports": "104,11112",
    "persistence": "source_ip",
    "real_server_count": "4",
    "health_check": "DICOM C-ECHO",
}
S3 = {
    "name": "S3",
    "protocol": "https",
    "ports": "443",
    "persistence": "none",
    "real_server_count": "8",
}


def start(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prepare for your load balancer discovery call"
    )
    page.get_by_role("button", name="Start now").click()
    on_page(page, "commercial")


def commercial(page: Page) -> None:
    fill_text(page, "ps_days_sold", "3")
    fill_text(page, "purchase_order", "PO-48213")
    fill_text(page, "quote_number", "Q-2026-0117")
    fill_text(page, "services_lead", "Sam Patel")
    choose(page, "commercial_confirmed", "yes")
    save_and_continue(page, "organisation")


def organisation(page: Page, *, email: bool = True) -> None:
    """The contact page; ``email=False`` leaves the (required) email address out."""
    fill_text(page, "organisation", ORGANISATION)
    fill_text(page, "contact_name", "Alex Morgan")
    fill_text(page, "contact_role", "Infrastructure lead")
    if email:
        fill_text(page, "contact_email", "alex.morgan@northshire.example")
    fill_text(page, "contact_phone", "+44 20 7946 0958")
    save_and_continue(page, None if not email else "project")


def project(page: Page, *types: str) -> None:
    fill_text(
        page,
        "load_balancing_summary",
        "Our PACS web viewer and DICOM store across 4 servers, so that a server can be patched.",
    )
    tick(page, "deployment_types", *types)
    save_and_continue(page, "design")


def design(page: Page, hld: Path | None = None) -> None:
    """The design page; with ``hld``, say yes and upload it (with JavaScript the upload question
    appears at once; without it, after the page is submitted)."""
    if hld is None:
        choose(page, "hld_available", "no")
        save_and_continue(page, "network")
        return
    assert enhanced(page), "the upload is offered at once only with JavaScript"
    choose(page, "hld_available", "yes")
    expect(field(page, "hld_file")).to_be_visible()  # at once, without a submit
    upload(page, "hld_file", hld)
    save_and_continue(page, "network")
    back(page, "design")
    expect(page.locator("#hld_file-current")).to_contain_text(f"Uploaded: {hld.name}")
    save_and_continue(page, "network")


def network_traditional(page: Page) -> None:
    choose(page, "network_fabric", "traditional")
    save_and_continue(page, "appliance")


def aci(page: Page) -> None:
    expect(page.get_by_text(f"Who administers {ORGANISATION}'s ACI fabric?")).to_be_visible()
    choose(page, "aci_admin", "in_house")
    fill_text(page, "aci_admin_contact", "Jo Bloggs, jo.bloggs@northshire.example")
    choose(page, "aci_arp_flooding", "no")
    choose(page, "aci_garp_detection", "yes")
    choose(page, "aci_l4l7_vip", "yes")
    save_and_continue(page, "appliance")


def appliance_hardware(page: Page) -> None:
    choose(page, "form_factor", "hardware")
    choose(page, "ha_pair", "yes")
    choose(page, "appliance_installed", "no")
    save_and_continue(page, "addressing")


def appliance_virtual(page: Page) -> None:
    choose(page, "form_factor", "virtual")
    choose(page, "ha_pair", "yes")
    choose(page, "appliance_installed", "yes")
    reveal(page, "appliance", "hypervisor")
    choose(page, "hypervisor", "vmware")
    if enhanced(page):  # notes follow the answers at once; without JavaScript, after a submit
        expect(page.get_by_text("must allow MAC address changes")).to_be_visible()
    save_and_continue(page, "addressing")


def addressing(page: Page) -> None:
    choose(page, "network_topology", "one_arm")
    choose(page, "addresses_known", "yes")
    reveal(page, "addressing", "mgmt_ip_primary")
    fill_text(page, "mgmt_ip_primary", "10.20.0.10")
    fill_text(page, "mgmt_ip_secondary", "10.20.0.11")
    fill_text(page, "vip_subnet", "10.20.0.0/24")
    fill_text(page, "default_gateway", "10.20.0.1")
    fill_text(page, "dns_server_1", "10.0.0.53")
    fill_text(page, "ntp_server_1", "ntp.northshire.example")
    save_and_continue(page, "servers")


def servers(page: Page) -> None:
    choose(page, "servers_changeable", "yes")
    tick(page, "server_os", "linux", "windows")
    choose(page, "client_ip_needed", "no")
    save_and_continue(page, "remote_access")


def remote_access(page: Page) -> None:
    choose(page, "remote_access_method", "screen_share")
    save_and_continue(page, "change_windows")


def change_windows(page: Page, next_page: str) -> None:
    choose_searchable(page, "timezone", "Europe/London")
    choose(page, "service_live", "yes")
    reveal(page, "change_windows", "change_windows")
    fill_text(page, "change_windows", "Tuesdays and Thursdays 19:00 to 23:00")
    fill_text(page, "change_notice_days", "5")
    save_and_continue(page, next_page)


def medical(page: Page, then: Callable[[Page], None] | None = None) -> None:
    """The medical imaging page; ``then`` instead of "Save and continue", if given."""
    fill_text(page, "medical_vendor", "Example Imaging PACS")
    fill_text(page, "medical_version", "7.2")
    tick(page, "medical_services", "web_viewer", "dicom_store")
    reveal(page, "medical", "medical_dicom_tls")
    fill_text(page, "medical_ae_titles", "PACS01 on 104, PACS02 on 104; calling AE LB_ECHO")
    choose(page, "medical_dicom_tls", "no")
    fill_text(page, "medical_modality_count", "40")
    choose(page, "medical_legacy_modalities", "no")
    fill_text(page, "medical_peak_studies", "1500")
    choose(page, "medical_multi_site", "no")
    if then is None:
        save_and_continue(page, "services")
    else:
        then(page)


def storage(page: Page) -> None:
    choose(page, "storage_vendor", "minio")
    fill_text(page, "storage_version", "RELEASE.2025-04-22")
    fill_text(page, "storage_s3_endpoints", "s3.example.com\n*.s3.example.com")
    fill_text(page, "storage_ports", "S3 443, console 9001")
    choose(page, "storage_tls_mode", "terminate")
    fill_text(page, "storage_node_count", "8")
    fill_text(page, "storage_site_count", "2")
    fill_text(page, "storage_peak_throughput", "20")
    choose(page, "storage_read_write_mix", "mostly_read")
    choose(page, "storage_client_ip_needed", "no")
    fill_text(page, "storage_health_check_url", "/minio/health/live")
    reveal(page, "storage", "storage_cert_owner")
    choose(page, "storage_cert_owner", "csr")
    save_and_continue(page, "services")


def add_https_service(page: Page, answers: dict[str, str], tls: str = "terminate") -> None:
    """Add an HTTPS service: the TLS question is shown once HTTPS is chosen (after a submit:
    the record page has no live preview), then the record is saved."""
    add_record(page, "service", answers)
    expect(field(page, "tls_handling")).to_have_count(0)
    page.get_by_role("button", name="Save service").click()
    expect(field(page, "tls_handling")).to_be_visible()
    fill_record(page, {"tls_handling": tls})
    page.get_by_role("button", name="Save service").click()
    on_page(page, "services")


def add_plain_service(page: Page, answers: dict[str, str]) -> None:
    add_record(page, "service", answers)
    page.get_by_role("button", name="Save service").click()
    on_page(page, "services")


def add_real_servers(page: Page, service: int, servers: list[dict[str, str]]) -> None:
    """From the services page, open service ``service`` (1 for the first) and add each of its
    real servers on a page of its own, then save the service and come back."""
    page.get_by_role("link", name=f"Change service {service}").click()
    for server in servers:
        page.get_by_role("link", name=re.compile(r"^Add (a|another) server$")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a server")
        fill_record(page, server)
        page.get_by_role("button", name="Save server").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Change service {service}")
    page.get_by_role("button", name="Save service").click()
    on_page(page, "services")


def anything_else(page: Page) -> None:
    fill_text(page, "anything_else", "We would like to go live before the end of June.")
    fill_text(page, "call_availability", "Weekday mornings")
    save_and_continue(page, "review")


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit answers").click()
    at(page, "done")
    expect(page.get_by_role("heading", level=1)).to_have_text("Answers submitted")
