"""The engineers' list reads copied columns: the customer's and the engineer's use cases keep
them true, so each stage filter finds an engagement as soon as it gets there."""

from __future__ import annotations

from sqlalchemy.orm import Session

from questionnaire.services import engagements, journey, sow, sow_desk
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.worker import Worker

from .factories import Factory


def stages_listing(db: Session, customer: str) -> set[str]:
    """Every stage whose filter lists the customer's engagement."""
    return {
        stage
        for stage in engagements.STAGES
        if any(
            r.customer == customer
            for r in engagements.page(db, engagements.Listing(stage=stage)).rows
        )
    }


def test_each_step_moves_the_engagement_to_the_stage_its_filter_shows(
    make: Factory, db: Session, services: Context, database: Database
) -> None:
    token = make.link(customer="Stepwise Health")
    assert stages_listing(db, "Stepwise Health") == {"invited"}
    opened = make.opened(token)
    journey.start(db, services, opened)
    assert stages_listing(db, "Stepwise Health") == {"in_progress"}
    assert opened.response is not None
    make.response(token, through="last")
    response = make.opened(token).response
    assert response is not None
    journey.submit(db, services, make.opened(token), response.version)
    assert stages_listing(db, "Stepwise Health") == {"submitted"}
    Worker(services, database, isolate=False).run_pending()
    _, _, revision = sow_desk.revision(db, response.engagement_id, 1)
    sow.mark_sent(db, revision, "eng@example.com")
    assert stages_listing(db, "Stepwise Health") == {"sow_sent"}
