"""The sales handover: each field's message, the engagement and its two emails in one transaction."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import handover, mail
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Engagement, OutgoingEmail

SALES = "sam.sales@loadbalancer.org"

FORM = handover.Handover(
    organisation="Acme Health",
    contact_name="Jo Bloggs",
    contact_email="jo@acme.example",
    contact_phone="+44 20 7946 0958",
    project="PACS load balancing",
    ps_days_sold="2.5",
    contract_date="2026-03-14",
    purchase_order="PO-1234",
    quote_number="Q-5678",
    terms_url="https://www.loadbalancer.org/terms/ps-agreement",
    timeline="Live by the end of April",
    services_lead="Alex Lead",
    notes="Customer prefers mornings.",
)


def with_(**changes: str) -> handover.Handover:
    return dataclasses.replace(FORM, **changes)


def errors_of(form: handover.Handover) -> dict[str, str]:
    result = handover.check(form)
    assert isinstance(result, handover.InvalidHandover)
    return result.errors


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("organisation", "", "Enter the customer's organisation"),
        ("organisation", "x" * 201, "Enter 200 characters or fewer"),
        ("contact_name", " ", "Enter the name of the customer's contact"),
        ("contact_email", "", "Enter the contact's email address"),
        ("contact_email", "jo@", "Enter an email address in the correct format"),
        ("contact_phone", "0113 496", "Enter a phone number, including the country code"),
        ("ps_days_sold", "", "Enter the number of PS days sold"),
        ("ps_days_sold", "two", "Enter the PS days sold as a number, like 2.5"),
        ("ps_days_sold", "2.25", "Enter the PS days sold in whole or half days"),
        ("ps_days_sold", "0", "Enter a number between 0.5 and 1000"),
        ("contract_date", "", "Enter the sale, invoice or contract date"),
        ("contract_date", "14/03/2026", "Enter a date in the format 2026-11-30"),
        ("contract_date", "2026-02-30", "Enter a real date"),
        ("purchase_order", "", "Enter the purchase order number"),
        ("quote_number", "", "Enter the quote number"),
        ("terms_url", "", "Enter the link to the Professional Services Agreement"),
        ("terms_url", "not a link", "Enter a web address starting with https://"),
        (
            "terms_url",
            "http://example.com/terms",
            "Enter the agreement's address starting with https://",
        ),
        ("timeline", "", "Enter the expected timeline"),
        ("services_lead", "", "Enter the name of the services lead"),
        ("notes", "a\x00b", "Remove the unusual characters"),
    ],
)
def test_each_field_says_what_is_wrong_with_it(field: str, typed: str, message: str) -> None:
    errors = errors_of(with_(**{field: typed}))
    assert list(errors) == [field]
    assert errors[field].startswith(message)


def test_optional_fields_may_be_blank_and_values_are_normalised() -> None:
    values = handover.check(with_(contact_phone="", project="", notes="", ps_days_sold="3.0",
                                  contact_email="Jo@ACME.example"))  # fmt: skip
    assert not isinstance(values, handover.InvalidHandover)
    assert values["contact_phone"] is None and values["project"] is None
    assert values["ps_days_sold"] == 3 and isinstance(values["ps_days_sold"], int)
    assert values["contact_email"] == "Jo@acme.example"


def emails(db: Session) -> dict[str, OutgoingEmail]:
    return {e.template: e for e in db.scalars(select(OutgoingEmail)).all()}


def test_a_handover_creates_the_engagement_in_pipeline_with_both_emails(
    db: Session, services: Context
) -> None:
    engagement = handover.hand_over(db, services, FORM, SALES)
    db.expire_all()
    found = db.get(Engagement, engagement.id)
    assert found is not None and found.pipeline_stage == "pipeline" and found.engineer_id is None
    assert (found.customer, found.project) == ("Acme Health", "PACS load balancing")
    assert (found.contact_name, found.contact_email, found.contact_phone) == (
        "Jo Bloggs", "jo@acme.example", "+442079460958",
    )  # fmt: skip
    assert found.facts == {
        "ps_days_sold": 2.5, "contract_date": "2026-03-14", "purchase_order": "PO-1234",
        "quote_number": "Q-5678", "terms_url": "https://www.loadbalancer.org/terms/ps-agreement",
        "timeline": "Live by the end of April", "services_lead": "Alex Lead",
        "notes": "Customer prefers mornings.",
    }  # fmt: skip
    assert found.search_text == "acme health pacs load balancing"
    sent = emails(db)
    team, customer = sent["handover_services"], sent["handover_customer"]
    assert team.recipients == [{"name": "", "address": services.settings.mail.services_team}]
    assert team.subject == "Sales handover: Acme Health, PACS load balancing"
    for text in ("2.5", "PO-1234", "Q-5678", "ps-agreement", "+44 20 7946 0958", "mornings"):
        assert text in team.text_body
    assert customer.recipients == [{"name": "Jo Bloggs", "address": "jo@acme.example"}]
    assert customer.subject == "Handing over Acme Health to our services team"
    assert "Dear Jo Bloggs" in customer.text_body and "Alex Lead" in customer.text_body
    assert "[" not in customer.subject and "None" not in customer.text_body
    # No account for the sales person: the email is signed with their address, never a gap.
    assert SALES in customer.text_body


def test_optional_values_left_out_leave_no_gap_in_the_emails(
    db: Session, services: Context
) -> None:
    handover.hand_over(db, services, with_(project="", contact_phone="", notes=""), SALES)
    sent = emails(db)
    assert sent["handover_services"].subject == "Sales handover: Acme Health"
    assert "Phone" not in sent["handover_services"].text_body
    assert "your professional services" in sent["handover_customer"].text_body


def test_an_invalid_form_writes_nothing(db: Session, services: Context) -> None:
    with pytest.raises(handover.InvalidHandover) as raised:
        handover.hand_over(db, services, with_(contact_email="nope"), SALES)
    assert list(raised.value.errors) == ["contact_email"]
    assert db.scalar(select(func.count()).select_from(Engagement)) == 0
    assert emails(db) == {}


def test_an_email_that_cannot_be_queued_rolls_back_the_engagement_and_the_other_email(
    db: Session, database: Database, services: Context
) -> None:
    # The services team's address is wrong: the first email fails after the engagement exists.
    broken = dataclasses.replace(
        services,
        settings=dataclasses.replace(
            services.settings,
            mail=dataclasses.replace(services.settings.mail, services_team="not an address"),
        ),
    )
    with pytest.raises(mail.InvalidAddress):
        handover.hand_over(db, broken, FORM, SALES)
    with database.session() as other:
        assert other.scalar(select(func.count()).select_from(Engagement)) == 0
        assert other.scalar(select(func.count()).select_from(OutgoingEmail)) == 0


def test_the_confirmation_names_both_emails(db: Session, services: Context) -> None:
    engagement = handover.hand_over(db, services, FORM, SALES)
    done = handover.handed_over(db, engagement.id)
    assert done.customer == "Acme Health"
    assert done.services_email is not None and done.customer_email is not None
    assert done.services_email.to == services.settings.mail.services_team
    assert done.customer_email.to == "jo@acme.example"
    assert done.customer_email.status == "queued"
