"""The demo that ``questionnaire demo`` sets up: one demo engagement, handed over by sales on
the first start (so the Outbox holds the handover's two emails) and kept after, with a fresh
link each time (a link is shown only once), and the demo engineer's login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement

from . import accounts, links
from .context import Context
from .handover import Handover, hand_over

DEMO_ACTOR = "demo"
DEMO_CUSTOMER = "Demo Health NHS Trust"
DEMO_PROJECT = "PACS load balancing"
DEMO_ENGINEER = "engineer@example.com"


@dataclass(frozen=True)
class Demo:
    link_url: str
    engineer_email: str
    engineer_password: str


#: What sales hand over for the demo (the customer's contact is fictional).
DEMO_HANDOVER = Handover(
    organisation=DEMO_CUSTOMER, contact_name="Alex Morgan", contact_email="alex.morgan@example.com",
    contact_phone="+44 113 496 0123", project=DEMO_PROJECT, ps_days_sold="3",
    contract_date="2026-11-02", purchase_order="PO-48213", quote_number="Q-2026-0117",
    terms_url="https://example.com/professional-services-terms", timeline="January 2027",
    services_lead="Sam Patel",
)  # fmt: skip


def set_up(db: Session, context: Context, definition: str, engineer_password: str) -> Demo:
    """The demo engagement (handed over on the first start only) with a new link, and the demo
    engineer with ``engineer_password``; committed."""
    settings = context.settings
    engagement = db.scalars(
        select(Engagement)
        .where(Engagement.created_by == DEMO_ACTOR, Engagement.customer == DEMO_CUSTOMER)
        .order_by(Engagement.id)
    ).first()
    if engagement is None:
        engagement = hand_over(db, context, DEMO_HANDOVER, DEMO_ACTOR)
    lifetime = timedelta(days=settings.link_expiry_days)
    _, token = links.issue_link(db, engagement, definition, lifetime, DEMO_ACTOR)
    db.commit()
    accounts.ensure_user(db, DEMO_ENGINEER, engineer_password, "Demo engineer")
    return Demo(links.link_url(settings.base_url, token), DEMO_ENGINEER, engineer_password)
