"""The sales handover: sales hands an engagement over to the services team.

:func:`hand_over` checks the form with the questionnaire engine's own answer parsers (a date,
an email, a phone number or a day count is read here exactly as in a customer's answer),
creates the engagement in the stage Pipeline with the facts sold, and queues the seed's two
emails (to the services team, and to the customer's contact) in the same transaction: all of it
commits, or nothing does.

Every value the two email templates need is a required field of the form (the services lead
too: the customer's email names them, and no placeholder may stand in for a name), so a valid
form can always send both.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, display, parse_answer
from questionnaire.engine.facts import FACTS as PREFILL_FACTS
from questionnaire.engine.facts import PRIVATE_FACTS
from questionnaire.engine.model import (
    DateQuestion,
    DecimalQuestion,
    LongTextQuestion,
    Question,
    SimpleTypedQuestion,
    TextQuestion,
)
from questionnaire.store.models import Engagement, OutgoingEmail, User

from . import audit, links, mail
from .context import Context
from .sow_desk import NotFound

CUSTOMER_TEMPLATE, SERVICES_TEMPLATE = "handover_customer", "handover_services"
#: The facts of the handover kept in ``Engagement.facts`` (the SoW and the questionnaire read them).
FACT_KEYS = (
    "ps_days_sold", "contract_date", "purchase_order", "quote_number", "terms_url", "timeline",
    "services_lead", "notes",
)  # fmt: skip
HTTPS_ONLY = (
    "Enter the agreement's address starting with https://, like https://www.example.com/terms"
)
DAYS = "Enter the PS days sold as a number, like 2.5"
HALVES = "Enter the PS days sold in whole or half days, like 2 or 2.5"


@dataclass(frozen=True)
class Handover:
    """The form as typed (every value a string; blank when left empty)."""

    organisation: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    project: str = ""
    ps_days_sold: str = ""
    contract_date: str = ""
    purchase_order: str = ""
    quote_number: str = ""
    terms_url: str = ""
    timeline: str = ""
    services_lead: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Field:
    """One field: the engine question that parses it, and what to say when it is left blank
    (``None``: it may be)."""

    question: Question
    missing: str | None


def _text(name: str, missing: str | None, max_length: int = 200) -> Field:
    return Field(TextQuestion(id=name, label=name, type="text", max_length=max_length), missing)


FIELDS: dict[str, Field] = {
    "organisation": _text("organisation", "Enter the customer's organisation"),
    "contact_name": _text("contact_name", "Enter the name of the customer's contact"),
    "contact_email": Field(
        SimpleTypedQuestion(id="contact_email", label="email", type="email"),
        "Enter the contact's email address",
    ),
    "contact_phone": Field(
        SimpleTypedQuestion(id="contact_phone", label="phone", type="phone"), None
    ),
    "project": _text("project", None),
    "ps_days_sold": Field(
        DecimalQuestion(id="ps_days_sold", label="days", type="decimal", min=0.5, max=1000),
        "Enter the number of PS days sold",
    ),
    "contract_date": Field(
        DateQuestion(id="contract_date", label="date", type="date"),
        "Enter the sale, invoice or contract date",
    ),
    "purchase_order": _text("purchase_order", "Enter the purchase order number", 100),
    "quote_number": _text("quote_number", "Enter the quote number", 100),
    "terms_url": Field(
        SimpleTypedQuestion(id="terms_url", label="url", type="url"),
        "Enter the link to the Professional Services Agreement the customer was given",
    ),
    "timeline": _text("timeline", "Enter the expected timeline for the project"),
    "services_lead": _text("services_lead", "Enter the name of the services lead"),
    "notes": Field(
        LongTextQuestion(id="notes", label="notes", type="long_text", max_length=5000), None
    ),
}


#: The name a questionnaire's ``prefill`` gives each field: its own, bar the organisation, which
#: the engagement (and the SoW's ``fact()``) calls ``customer``.
FACT_NAMES = {name: "customer" if name == "organisation" else name for name in FIELDS}


def _check_prefill_catalogue() -> None:
    """The engine's catalogue of facts (what ``questionnaire lint`` checks a ``prefill`` against)
    names every field here but the private ones, with the answer type that parses it here."""
    offered = {FACT_NAMES[name]: field for name, field in FIELDS.items()}
    differ = (offered.keys() - PRIVATE_FACTS) ^ PREFILL_FACTS.keys()
    if differ:
        raise RuntimeError(f"engine/facts.py and the sales handover disagree on {sorted(differ)}")
    for fact, spec in PREFILL_FACTS.items():
        if offered[fact].question.type != spec.types[0]:
            raise RuntimeError(
                f"the fact '{fact}' is parsed as another type than engine/facts.py says"
            )


_check_prefill_catalogue()


class InvalidHandover(ValueError):
    """The form has errors: ``errors`` maps each field to its message, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check(form: Handover) -> dict[str, Any] | InvalidHandover:
    """The parsed values by field (``None`` for a blank optional one), or the errors."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in fields(form):
        parsed = _parse(item.name, getattr(form, item.name))
        if isinstance(parsed, Invalid):
            errors[item.name] = parsed.message
        else:
            values[item.name] = parsed
    return InvalidHandover(errors) if errors else values


def _parse(name: str, raw: str) -> Any:
    field = FIELDS[name]
    parsed = parse_answer(field.question, raw)
    if parsed is None and field.missing is not None:
        return Invalid(field.missing)
    if name == "ps_days_sold" and isinstance(parsed, Invalid) and "between" not in parsed.message:
        return Invalid(DAYS)  # the engine's "Enter a number", said of this field
    if name == "ps_days_sold" and isinstance(parsed, float):
        if not (parsed * 2).is_integer():
            return Invalid(HALVES)
        return int(parsed) if parsed.is_integer() else parsed
    if (
        name == "terms_url"
        and isinstance(parsed, str)
        and not parsed.lower().startswith("https://")
    ):
        return Invalid(HTTPS_ONLY)  # the engine also takes http://: an agreement goes over TLS
    return parsed


def hand_over(db: Session, context: Context, form: Handover, actor: str) -> Engagement:
    """The new engagement, in Pipeline, with both emails queued; commits.

    Raises :class:`InvalidHandover` (nothing written) or, if an email cannot be queued, what
    :func:`mail.queue` raises, after rolling back: no engagement without its emails.
    """
    values = check(form)
    if isinstance(values, InvalidHandover):
        raise values
    try:
        engagement = _create(db, values, actor)
        _queue_emails(db, context, engagement, values, actor)
    except Exception:
        db.rollback()
        raise
    db.commit()
    return engagement


def _create(db: Session, values: dict[str, Any], actor: str) -> Engagement:
    engagement = links.create_engagement(db, values["organisation"], actor, values["project"])
    engagement.contact_name = values["contact_name"]
    engagement.contact_email = values["contact_email"]
    engagement.contact_phone = values["contact_phone"]
    engagement.facts = {key: values[key] for key in FACT_KEYS if values[key] is not None}
    db.flush()
    audit.record(db, actor, "engagement.handover", engagement_id=engagement.id,
                 facts=engagement.facts)  # fmt: skip
    return engagement


def _queue_emails(
    db: Session, context: Context, engagement: Engagement, values: dict[str, Any], actor: str
) -> None:
    # A blank optional value is absent (None), so the template leaves its line out.
    shown = {name: display(FIELDS[name].question, value) or None for name, value in values.items()}
    common = {**shown, "sales_name": _name_of(db, actor), "engagement_id": engagement.id}
    mail.queue(
        db, context, template=SERVICES_TEMPLATE, to=[context.settings.mail.services_team],
        values=common, actor=actor, engagement_id=engagement.id,
        reply_to=actor if "@" in actor else None,
    )  # fmt: skip
    mail.queue(
        db, context, template=CUSTOMER_TEMPLATE,
        to=[(values["contact_name"], values["contact_email"])], values=common, actor=actor,
        engagement_id=engagement.id, reply_to=context.settings.mail.services_team,
    )  # fmt: skip


def _name_of(db: Session, actor: str) -> str:
    """The sales person's name as their account gives it (the customer's email is signed with
    it); their address when no account matches (a handover made from the command line)."""
    name = db.scalar(select(User.name).where(User.email == actor))
    return name or actor


# -- the confirmation page ---------------------------------------------------------------------


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    status: str


@dataclass(frozen=True)
class HandedOver:
    engagement_id: int
    customer: str
    project: str | None
    services_email: SentEmail | None
    customer_email: SentEmail | None


def handed_over(db: Session, engagement_id: int) -> HandedOver:
    """What the confirmation names: the engagement and its two handover emails."""
    engagement = db.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound("There is no such engagement.")
    emails = db.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.engagement_id == engagement_id,
               OutgoingEmail.template.in_([SERVICES_TEMPLATE, CUSTOMER_TEMPLATE]))
        .order_by(OutgoingEmail.id)
    ).all()  # fmt: skip
    by_template = {email.template: _sent(email) for email in emails}
    return HandedOver(
        engagement.id, engagement.customer, engagement.project,
        by_template.get(SERVICES_TEMPLATE), by_template.get(CUSTOMER_TEMPLATE),
    )  # fmt: skip


def _sent(email: OutgoingEmail) -> SentEmail:
    to = ", ".join(recipient["address"] for recipient in email.recipients)
    return SentEmail(to, email.subject, email.status.value)
