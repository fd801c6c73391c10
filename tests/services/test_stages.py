"""The engineers' list reads copied columns: the customer's and the engineer's use cases keep
them true, so each stage filter finds an engagement as soon as it gets there."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from questionnaire.services import engagements, journey, sow, sow_desk, submission
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Engagement, PipelineStage
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
    submission.submit(db, services, make.opened(token), response.version)
    assert stages_listing(db, "Stepwise Health") == {"submitted"}
    Worker(services, database, isolate=False).run_pending()
    db.rollback()  # end this session's snapshot: see what the worker made
    _, _, revision = sow_desk.revision(db, response.engagement_id, 1)
    sow.mark_sent(db, revision, "eng@example.com")
    assert stages_listing(db, "Stepwise Health") == {"sow_sent"}


def test_a_submitted_questionnaire_moves_the_card_from_discovery_to_statement_of_work(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link(customer="Boardwalk Health")
    response = make.response(token, through="last")
    db.execute(
        update(Engagement)
        .where(Engagement.id == response.engagement_id)
        .values(pipeline_stage=PipelineStage.DISCOVERY.value)
    )
    db.commit()
    submission.submit(db, services, make.opened(token), response.version)
    engagement = db.get(Engagement, response.engagement_id, populate_existing=True)
    assert engagement is not None and engagement.pipeline_stage == PipelineStage.STATEMENT_OF_WORK
