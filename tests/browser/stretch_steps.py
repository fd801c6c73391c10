"""Steps of the engagement stretch that its story does not need to spell out: signing in,
waiting for the worker as a person does (reloading the page that says to), finishing a
pre-filled SoW, and the questionnaire's shortest complete path."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from . import flows
from .helpers import choose, choose_searchable, fill_text, save_and_continue, tick

PASSWORD = "a long password for the stretch"
#: The worker pre-fills the SoW and renders its PDF: seconds.
WORKER_TIMEOUT = 60.0


def sign_in(page: Page, email: str) -> None:
    """On the sign-in page (where any /e page sends a stranger): sign in, and go on."""
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def reload_until(page: Page, ready: Callable[[], bool], timeout: float = WORKER_TIMEOUT) -> None:
    """Reload, as a person would, until the worker's work shows (the page says to)."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"{page.url} did not show the worker's work"
        page.wait_for_timeout(200)
        page.reload()


def finished(markdown: str) -> str:
    """The pre-filled SoW as the engineer finishes it after the call: every item to confirm
    confirmed, and the checklist of them gone."""
    without_checklist = re.sub(r"## To confirm on the discovery call\n.*?(?=^## )", "",
                               markdown, flags=re.S | re.M)  # fmt: skip
    return re.sub(r"\[To confirm on the discovery call: ([^\]]+)\]", r"\1 (as agreed)",
                  without_checklist)  # fmt: skip


def answer_the_shortest_path(page: Page) -> None:
    """General load balancing, no addresses yet, not live, one TCP service, nothing optional
    (as the path test "Addresses not chosen yet" of definitions/tests/pre_discovery.yaml)."""
    fill_text(page, "load_balancing_summary", "Exchange across 3 servers, so one can be patched.")
    tick(page, "deployment_types", "general")
    save_and_continue(page, "design")
    flows.design(page)
    flows.network_traditional(page)
    flows.appliance_hardware(page)
    choose(page, "network_topology", "not_sure")
    choose(page, "addresses_known", "no")
    save_and_continue(page, "servers")
    flows.servers(page)
    flows.remote_access(page)
    choose_searchable(page, "timezone", "Europe/London")
    choose(page, "service_live", "no")
    save_and_continue(page, "general")
    fill_text(page, "general_application", "Microsoft Exchange")
    choose(page, "general_multi_site", "no")
    save_and_continue(page, "services")
    flows.add_plain_service(page, {"name": "Exchange", "protocol": "tcp", "ports": "443",
                                   "persistence": "none", "real_server_count": "3"})  # fmt: skip
    save_and_continue(page, "anything_else")
    save_and_continue(page, "review")
