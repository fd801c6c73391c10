"""The demo that ``questionnaire demo`` sets up: one demo engagement, kept across starts, with a
fresh link each time (a link is shown only once), and the demo engineer's login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.models import Engagement

from . import accounts, links
from .settings import Settings

DEMO_ACTOR = "demo"
DEMO_CUSTOMER = "Demo Health NHS Trust"
DEMO_PROJECT = "PACS load balancing"
DEMO_ENGINEER = "engineer@example.com"


@dataclass(frozen=True)
class Demo:
    link_url: str
    engineer_email: str
    engineer_password: str


def set_up(db: Session, settings: Settings, definition: str, engineer_password: str) -> Demo:
    """The demo engagement (created on the first start only) with a new link, and the demo
    engineer with ``engineer_password``; committed."""
    engagement = db.scalars(
        select(Engagement)
        .where(Engagement.created_by == DEMO_ACTOR, Engagement.customer == DEMO_CUSTOMER)
        .order_by(Engagement.id)
    ).first()
    if engagement is None:
        engagement = links.create_engagement(db, DEMO_CUSTOMER, DEMO_ACTOR, DEMO_PROJECT)
    lifetime = timedelta(days=settings.link_expiry_days)
    _, token = links.issue_link(db, engagement, definition, lifetime, DEMO_ACTOR)
    db.commit()
    accounts.ensure_user(db, DEMO_ENGINEER, engineer_password, "Demo engineer")
    return Demo(links.link_url(settings.base_url, token), DEMO_ENGINEER, engineer_password)
