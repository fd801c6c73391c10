"""An engagement delivered and waiting for the customer's acceptance: where close-out starts.

Built from rows (the questionnaire answered through the small definition, then the handover's
facts, two sessions, a PDR revision and support notes), so close-out's tests do not depend on
how the SoW and the acceptance document are accepted."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.services import accounts, support_notes
from questionnaire.store.delivery import ImplementationSession, Pdr, PdrRevision
from questionnaire.store.models import Engagement, PipelineStage, Role

from .factories import Factory

SALES = "sam.sales@loadbalancer.org"
ENGINEER = "eve.engineer@loadbalancer.org"
CUSTOMER = "jo@acme.example.com"
PASSWORD = "a long password"
AS_BUILT = {"virtual_services": [{"name": "PACS viewer", "vip": "10.0.0.10"}],
            "gslb": [{"name": "pacs.acme.example"}]}  # fmt: skip


def delivered(make: Factory, db: Session, **facts: Any) -> int:
    """An engagement In progress after a last session answered "Complete? yes"."""
    token = make.link()
    response = make.response(token, through="services")
    engagement = db.get(Engagement, response.engagement_id)
    assert engagement is not None
    sales = accounts.create_user(db, SALES, PASSWORD, "Sam Sales", roles=[Role.SALES])
    eve = accounts.create_user(db, ENGINEER, PASSWORD, "Eve Engineer")
    engagement.created_by = sales.email
    engagement.engineer_id = eve.id
    engagement.contact_name, engagement.contact_email = "Jo Customer", CUSTOMER
    engagement.facts = {"ps_days_sold": 5, **facts}
    engagement.pipeline_stage = PipelineStage.IN_PROGRESS.value
    for held_on, days, complete in (
        (date(2026, 11, 30), 2.0, False),
        (date(2026, 12, 1), 1.5, True),
    ):
        db.add(ImplementationSession(
            engagement_id=engagement.id, held_on=held_on, engineer_id=eve.id,
            engineer_name=eve.name, notes=f"Session of {held_on}", days_used=days,
            complete=complete, recorded_by=ENGINEER,
        ))  # fmt: skip
    pdr = Pdr(engagement_id=engagement.id, created_by=ENGINEER)
    db.add(pdr)
    db.flush()
    db.add(PdrRevision(pdr_id=pdr.id, number=1, content=AS_BUILT, author=ENGINEER))
    db.commit()
    support_notes.save(db, engagement.id, support_notes.NotesForm(
        knowledge="Knows HAProxy well.", network="Asymmetric routing on VLAN 20.\nOdd MTU.",
        connection="TeamViewer session with Jo.", left_as="Live, both appliances in sync.",
    ), ENGINEER)  # fmt: skip
    return engagement.id
