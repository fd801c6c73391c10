"""An engagement whose SoW the customer accepted: where the Project Detail Record starts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from questionnaire.services import acceptances
from questionnaire.services.context import Context
from questionnaire.store.db import Database

from .factories import Factory
from .sow_support import VISITOR, drafted, form, sent


def accepted(make: Factory, db: Session, services: Context, database: Database) -> int:
    """A drafted engagement whose revision 1 was sent and accepted (the card in Planned)."""
    engagement_id = drafted(make, db, services, database)
    token = sent(db, services, database, engagement_id, 1)
    acceptances.accept(db, services, token, form(), VISITOR)
    return engagement_id
