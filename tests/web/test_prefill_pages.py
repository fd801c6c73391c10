"""The customer's first page shows what sales entered at the handover, ready to correct; the
engineer's engagement page shows each correction beside what sales entered."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask

from questionnaire.services import handover, links
from questionnaire.store import db
from tests.conftest import ROOT
from tests.services.test_handover import FORM, SALES

from .customer import Customer
from .engineer import log_in, make_engineer
from .state import answers


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """The shipped definitions (pre_discovery), not the web tests' small one."""
    return {"DEFINITIONS_DIR": str(ROOT / "definitions")}


def handed_over(app: Flask, form: handover.Handover = FORM) -> tuple[int, str]:
    """A handed-over engagement's id and its questionnaire link token."""
    with app.app_context():
        session = db.session()
        services = app.extensions["services"]
        engagement = handover.hand_over(session, services, form, SALES)
        _, token = links.issue_link(
            session, engagement.id, "pre_discovery", timedelta(days=14), SALES
        )
        session.commit()
        return engagement.id, token


def value_of(html: str, field: str) -> str:
    match = re.search(rf'<input [^>]*id="{field}" name="{field}" value="([^"]*)"', html)
    assert match, f"no input {field}"
    return unescape(match.group(1))


def test_the_first_page_shows_what_sales_entered_as_answers_to_check(app: Flask) -> None:
    _, token = handed_over(app)
    customer = Customer(app.test_client(), token)
    started = customer.start()
    assert started.status_code == 302 and started.location.endswith("/p/commercial")
    page = customer.get("/p/commercial")
    assert page.status_code == 200
    assert "Check the details of your purchase" in page.text
    assert "We have filled in these details from your order" in page.text
    assert "correct anything that is wrong" in page.text
    assert value_of(page.text, "project") == "PACS load balancing"
    assert value_of(page.text, "ps_days_sold") == "2.5"
    assert value_of(page.text, "contract_date") == "2026-03-14"
    assert value_of(page.text, "purchase_order") == "PO-1234"
    assert value_of(page.text, "quote_number") == "Q-5678"
    assert value_of(page.text, "services_lead") == "Alex Lead"
    assert "Customer prefers mornings" not in page.text  # sales' notes are not the customer's


def test_the_engineer_sees_each_correction_and_nothing_when_equal(app: Flask) -> None:
    engagement_id, token = handed_over(app, dataclasses.replace(FORM, project="<b>PACS</b>"))
    make_engineer(app)
    engineer = log_in(app)
    customer = Customer(app.test_client(), token)
    customer.start()
    page = engineer.get(f"/e/engagements/{engagement_id}")
    assert page.status_code == 200 and "Sales entered" not in page.text
    typed = {
        "project": "<b>PACS</b>", "ps_days_sold": "2.5", "contract_date": "2026-03-14",
        "purchase_order": "PO-1234", "quote_number": "Q-5678", "services_lead": "Alex Lead",
        "commercial_confirmed": "yes",
    }  # fmt: skip
    assert customer.answer("commercial", typed).status_code == 302  # saved as shown
    assert "Sales entered" not in engineer.get(f"/e/engagements/{engagement_id}").text
    changed = {**typed, "project": "<i>PACS</i> refresh", "ps_days_sold": "3"}
    assert customer.answer("commercial", changed).status_code == 302
    assert answers(app)["ps_days_sold"] == 3.0
    page = engineer.get(f"/e/engagements/{engagement_id}")
    text = re.sub(r"\s+", " ", page.text)
    assert "The customer changed 2 details that sales entered." in text
    assert "<strong>PS days sold</strong>: Sales entered 2.5; the customer answered 3." in text
    assert (
        "<strong>Project</strong>: Sales entered &lt;b&gt;PACS&lt;/b&gt;; "
        "the customer answered &lt;i&gt;PACS&lt;/i&gt; refresh."
    ) in text
    assert "<i>PACS</i>" not in page.text
